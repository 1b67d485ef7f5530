// The digest's picture: who has visits due (named bars), the area's visits per week, open reports by age — one
// PNG under the text. Without a CJK font there is no picture (the text says it all) and one log line says why.
import type { OutImage } from '../bot/message.js';
import { chartText } from '../i18n/sections/charts.js';
import type { Locale } from '../i18n/translator.js';
import type { Logger } from '../logger.js';
import { dueByCaseworkerChart, openReportsChart, renderChart, stackCharts, weeklyVisitsChart, type ChartPicture } from './chart.js';
import { drawsChinese, findCjkFont } from './chartFont.js';
import type { DigestSummary } from './digest.js';

export function digestPictures(s: DigestSummary, locale: Locale): ChartPicture[] {
  const pictures = [dueByCaseworkerChart(s.byCaseworker, locale), weeklyVisitsChart(s.weeks, s.areaName, locale), openReportsChart(s.openReportsByAge, locale)];
  return pictures.filter((p): p is ChartPicture => p !== undefined);
}

export async function digestImage(s: DigestSummary, locale: Locale, fontFile: string): Promise<OutImage> {
  const { png } = await renderChart(stackCharts(digestPictures(s, locale)), fontFile);
  return { pngBase64: png.toString('base64'), alt: chartText(locale, 'alt') };
}

/**
 * Draws one day's digest pictures: once per recipient and language, on libuv's thread pool, two at a time so the
 * bot's own work goes on. A picture that fails is logged and the digest goes without it.
 */
export class DigestPainter {
  private readonly font: Promise<string | undefined>;
  private readonly pictures = new Map<string, Promise<OutImage | undefined>>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    chartFont: string | undefined,
    private readonly logger: Logger | undefined,
  ) {
    this.font = usableFont(chartFont, logger);
  }

  picture(staffId: number, summary: DigestSummary, locale: Locale): Promise<OutImage | undefined> {
    const key = `${staffId}:${locale}`;
    let drawn = this.pictures.get(key);
    if (!drawn) {
      drawn = this.font
        .then((font) => (font ? this.inTurn(() => digestImage(summary, locale, font)) : undefined))
        .catch((error: unknown) => {
          this.logger?.error({ err: error, staffId }, 'digest chart could not be drawn: sent without it');
          return undefined;
        });
      this.pictures.set(key, drawn);
    }
    return drawn;
  }

  private async inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= 2) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

async function usableFont(chartFont: string | undefined, logger: Logger | undefined): Promise<string | undefined> {
  const font = findCjkFont(chartFont);
  if (font && (await drawsChinese(font))) return font;
  logger?.warn(
    { chartFont: chartFont ?? null, font: font ?? null },
    font
      ? `the font ${font} has no Chinese characters: digests are sent without charts (set CHART_FONT to a CJK font)`
      : 'no CJK font found (install fonts-noto-cjk, or set CHART_FONT to a font file): digests are sent without charts',
  );
  return undefined;
}
