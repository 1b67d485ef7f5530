// A small bar chart as a PNG, drawn in plain JS and encoded with node:zlib: enough for a digest's "who has the
// most overdue visits" at a glance. Digits only (a 3×5 pixel font); names stay in the text, numbered to match.
import { deflateSync } from 'node:zlib';

type Rgb = readonly [number, number, number];

const DIGITS: Record<string, string[]> = {
  '0': ['111', '101', '101', '101', '111'],
  '1': ['010', '110', '010', '010', '111'],
  '2': ['111', '001', '111', '100', '111'],
  '3': ['111', '001', '111', '001', '111'],
  '4': ['101', '101', '111', '001', '001'],
  '5': ['111', '100', '111', '001', '111'],
  '6': ['111', '100', '111', '101', '111'],
  '7': ['111', '001', '001', '001', '001'],
  '8': ['111', '101', '111', '101', '111'],
  '9': ['111', '101', '111', '001', '111'],
};

class Canvas {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb,
  ) {
    this.pixels = new Uint8Array(width * height * 3);
    this.rect(0, 0, width, height, background);
  }

  rect(x: number, y: number, w: number, h: number, c: Rgb): void {
    const x0 = Math.max(0, Math.floor(x));
    const y0 = Math.max(0, Math.floor(y));
    const x1 = Math.min(this.width, Math.floor(x + w));
    const y1 = Math.min(this.height, Math.floor(y + h));
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0; xx < x1; xx++) {
        const i = (yy * this.width + xx) * 3;
        this.pixels[i] = c[0];
        this.pixels[i + 1] = c[1];
        this.pixels[i + 2] = c[2];
      }
    }
  }

  /** Digits centred on `cx`, top at `y`, each font pixel `scale` pixels wide. */
  number(text: string, cx: number, y: number, scale: number, c: Rgb): void {
    const glyphW = 4 * scale;
    let x = cx - (text.length * glyphW - scale) / 2;
    for (const ch of text) {
      const glyph = DIGITS[ch];
      if (glyph) {
        glyph.forEach((row, gy) => {
          for (let gx = 0; gx < 3; gx++) if (row[gx] === '1') this.rect(x + gx * scale, y + gy * scale, scale, scale, c);
        });
      }
      x += glyphW;
    }
  }
}

export interface Bar {
  /** Stacked segments from the bottom, e.g. overdue then due today. */
  segments: { value: number; color: Rgb }[];
}

export const palette = {
  overdue: [220, 53, 69] as Rgb,
  dueToday: [255, 176, 32] as Rgb,
  axis: [90, 90, 90] as Rgb,
  text: [40, 40, 40] as Rgb,
  background: [255, 255, 255] as Rgb,
};

/** Bars numbered 1…n under the axis, each total printed above it. */
export function barChartPng(bars: Bar[], opts: { width?: number; height?: number } = {}): Buffer {
  const width = opts.width ?? 480;
  const height = opts.height ?? 240;
  const c = new Canvas(width, height, palette.background);
  const top = 30;
  const bottom = height - 30;
  const left = 20;
  const right = width - 20;
  const totals = bars.map((b) => b.segments.reduce((s, x) => s + x.value, 0));
  const max = Math.max(1, ...totals);
  const slot = (right - left) / Math.max(1, bars.length);
  const barW = Math.max(4, slot * 0.6);
  c.rect(left, bottom, right - left, 2, palette.axis);
  bars.forEach((bar, i) => {
    const cx = left + slot * (i + 0.5);
    let y = bottom;
    for (const seg of bar.segments) {
      const h = ((bottom - top) * seg.value) / max;
      c.rect(cx - barW / 2, y - h, barW, h, seg.color);
      y -= h;
    }
    c.number(String(totals[i]), cx, y - 20, 3, palette.text);
    c.number(String(i + 1), cx, bottom + 8, 3, palette.axis);
  });
  return encodePng(width, height, c.pixels);
}

/** A truecolour PNG (colour type 2, 8 bits) from RGB rows. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    raw.set(rgb.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length, 0);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed), 0);
  return Buffer.concat([length, typed, crc]);
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
