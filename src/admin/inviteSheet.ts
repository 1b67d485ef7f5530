// The printable invite sheet: one card per person — name, area, role, the code, and a QR code per configured
// channel (Telegram: the t.me deep link that binds in one tap; Feishu: the bot's chat, to which the code is sent).
// HTML that prints on A4 from any browser; a PDF too where Chromium is installed.
import { existsSync } from 'node:fs';
import QRCode from 'qrcode';
import type { Locale } from '../i18n/translator.js';
import { adminText, type AdminKey } from '../i18n/sections/admin.js';
import type { RedeemLinks } from './redeemLinks.js';

export interface SheetCard {
  name: string;
  role: string;
  area: string;
  code: string;
  validUntil: string;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const qr = (text: string) => QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width: 240 });

export async function inviteSheetHtml(cards: SheetCard[], links: RedeemLinks, locale: Locale, title: string): Promise<string> {
  const say = (key: AdminKey, params?: Record<string, string>) => escape(adminText(locale, key, params));
  const body: string[] = [];
  for (const card of cards) {
    const codes: string[] = [];
    if (links.telegram?.username) {
      const link = links.telegram.link(card.code);
      codes.push(`<figure><img class="qr" data-link="${escape(link)}" src="${await qr(link)}" alt="${escape(link)}"><figcaption>${say('sheet.telegram')}</figcaption></figure>`);
    }
    if (links.feishu?.chatLink) {
      codes.push(`<figure><img class="qr" data-link="${escape(links.feishu.chatLink)}" src="${await qr(links.feishu.chatLink)}" alt="${escape(links.feishu.chatLink)}"><figcaption>${say('sheet.feishu', { code: card.code })}</figcaption></figure>`);
    }
    if (codes.length === 0) codes.push(`<p class="how">${say('sheet.typeCode')}</p>`);
    body.push(`<section class="card">
  <h2>${escape(card.name)}</h2>
  <p class="who">${escape(card.role)} · ${escape(card.area)}</p>
  <p class="code">${say('sheet.code')} <b>${escape(card.code)}</b></p>
  <div class="codes">${codes.join('')}</div>
  <p class="valid">${say('sheet.valid', { until: card.validUntil })}</p>
</section>`);
  }
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>
  @page { size: A4; margin: 12mm; }
  body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 0; color: #111; }
  header { margin-bottom: 6mm; } header h1 { font-size: 18pt; margin: 0 0 2mm; } header p { margin: 0; font-size: 10pt; }
  .card { border: 1px dashed #888; padding: 5mm; margin-bottom: 5mm; break-inside: avoid; page-break-inside: avoid; }
  .card h2 { font-size: 20pt; margin: 0; } .who { margin: 1mm 0 3mm; font-size: 12pt; }
  .code { font-size: 12pt; margin: 0 0 3mm; } .code b { font-family: "DejaVu Sans Mono", monospace; font-size: 22pt; letter-spacing: 2px; }
  .codes { display: flex; gap: 10mm; } figure { margin: 0; text-align: center; width: 60mm; }
  .qr { width: 45mm; height: 45mm; image-rendering: pixelated; } figcaption { font-size: 10pt; }
  .valid, .how { font-size: 10pt; color: #444; margin: 3mm 0 0; }
</style></head>
<body><header><h1>${escape(title)}</h1><p>${say('sheet.intro')}</p></header>
${body.join('\n')}
</body></html>`;
}

/** The sheet as a PDF through Chromium (playwright-core drives it); undefined where there is no Chromium. */
export async function inviteSheetPdf(html: string, chromiumPath: string): Promise<Uint8Array | undefined> {
  if (!existsSync(chromiumPath)) return undefined;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', printBackground: true });
  } finally {
    await browser.close();
  }
}
