// The font the digest charts are drawn with. Caseworkers' names, villages and titles are Chinese whatever the
// reader's language, so a chart needs a CJK font; without one resvg would leave the labels out (or a renderer
// draws tofu boxes). Where none is installed the digest goes without its chart, and that is logged once.
import { existsSync } from 'node:fs';

/** Debian/Ubuntu `fonts-noto-cjk` first, then other common CJK fonts on Linux and macOS. */
export const CJK_FONT_CANDIDATES = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc',
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
  '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
  '/usr/share/fonts/wqy-microhei/wqy-microhei.ttc',
  '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf',
  '/System/Library/Fonts/PingFang.ttc',
  '/System/Library/Fonts/STHeiti Medium.ttc',
];

/** `CHART_FONT` (a font file) wins; otherwise the first candidate that exists; undefined when there is none. */
export function findCjkFont(chartFont: string | undefined, candidates: readonly string[] = CJK_FONT_CANDIDATES): string | undefined {
  if (chartFont) return existsSync(chartFont) ? chartFont : undefined;
  return candidates.find((path) => existsSync(path));
}

/**
 * Whether the font really draws Chinese: two different characters rendered alone must give different, non-blank
 * pictures — a font without them draws the same empty box (tofu) for both.
 */
export async function drawsChinese(fontFile: string): Promise<boolean> {
  const { renderAsync } = await import('@resvg/resvg-js');
  const draw = async (char: string) => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><text x="4" y="32" font-size="32">${char}</text></svg>`;
    return (await renderAsync(svg, { font: { fontFiles: [fontFile], loadSystemFonts: false }, background: '#ffffff' })).pixels;
  };
  try {
    const [a, b] = await Promise.all([draw('中'), draw('国')]);
    return !a.equals(b) && a.some((v) => v < 128);
  } catch {
    return false;
  }
}
