// Rendering for Feishu: whatever text a user or the database supplies comes out as the same characters, never as
// markup; rich text keeps its lines and emphasis; the crypto round-trips as Feishu's does.
import { Domain } from '@larksuiteoapi/node-sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decryptLark, encryptLark, larkSignature } from '../../src/bot/feishu/crypto.js';
import { flattenPost, localeFromUserAgent } from '../../src/bot/feishu/events.js';
import { escapeLarkMd, richToLarkMd, richToPost } from '../../src/bot/feishu/render.js';
import { insecureDomain, larkDomain } from '../../src/bot/feishu/sdk.js';
import { bold, plain } from '../../src/bot/message.js';
import { decodeLarkMd } from './fakeFeishu.js';

describe('Feishu rendering', () => {
  it('escapes any text so card markdown shows exactly it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => {
        const decoded = decodeLarkMd(escapeLarkMd(text));
        expect(decoded.unescaped).toEqual([]);
        expect(decoded.text).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('bolds per line, so emphasis never spans a line break', () => {
    expect(richToLarkMd([plain('风险：'), bold('橙色\n下次 12月7日')])).toBe('风险：**橙色**\n**下次 12月7日**');
  });

  it('writes post rich text as structured spans, one paragraph per line', () => {
    expect(richToPost([plain('A '), bold('B\nC'), plain(' D')])).toEqual({
      zh_cn: {
        title: '',
        content: [
          [{ tag: 'text', text: 'A ' }, { tag: 'text', text: 'B', style: ['bold'] }],
          [{ tag: 'text', text: 'C', style: ['bold'] }, { tag: 'text', text: ' D' }],
        ],
      },
    });
  });

  it('reads a post wrapped in a locale key, and the client locale from its user agent', () => {
    expect(flattenPost({ zh_cn: { title: '', content: [[{ tag: 'text', text: '你好' }]] } })).toEqual({ text: '你好', imageKey: undefined });
    expect(localeFromUserAgent('Mozilla/5.0 (iPhone) Lark/7.30.0 LarkLocale/en_US ChannelName/Feishu')).toBe('en');
    expect(localeFromUserAgent('Lark/7.30.0 LarkLocale/zh_CN')).toBe('zh-CN');
    expect(localeFromUserAgent(undefined)).toBeUndefined();
  });

  it('reads FEISHU_DOMAIN as Feishu, Lark or a private deployment, and says what is wrong otherwise', () => {
    expect(larkDomain('feishu')).toBe(Domain.Feishu);
    expect(larkDomain('Lark')).toBe(Domain.Lark);
    expect(larkDomain('https://open.feishu.example.gov.cn/')).toBe('https://open.feishu.example.gov.cn');
    expect(() => larkDomain('open.feishu.cn')).toThrow(/FEISHU_DOMAIN must be feishu, lark/);
    expect(() => larkDomain('ftp://x.example')).toThrow(/http\(s\)/);
    expect(insecureDomain('http://10.0.0.5:8080')).toBe(true);
    expect(insecureDomain('http://127.0.0.1:9000')).toBe(false);
    expect(insecureDomain(Domain.Feishu)).toBe(false);
  });

  it('decrypts what Feishu encrypts (AES-256-CBC, sha256 of the key, iv prefixed) and signs the raw bytes', () => {
    const payload = JSON.stringify({ challenge: '挑战', type: 'url_verification' });
    const sealed = encryptLark(payload, 'k');
    expect(Buffer.from(sealed, 'base64').length % 16).toBe(0);
    expect(decryptLark(sealed, 'k')).toBe(payload);
    let withOtherKey: string | undefined;
    try {
      withOtherKey = decryptLark(sealed, 'other');
    } catch {
      withOtherKey = undefined;
    }
    expect(withOtherKey).not.toBe(payload);
    expect(larkSignature('1', 'n', 'k', '{}')).toMatch(/^[0-9a-f]{64}$/);
  });
});
