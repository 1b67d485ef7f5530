// Typed message catalogues: zh-CN is the source of truth for keys; every other locale must have all of them.

export const locales = ['zh-CN', 'en'] as const;
export type Locale = (typeof locales)[number];

export type Catalogue<K extends string> = { 'zh-CN': Record<K, string>; en: Record<K, string> };
export type Params = Record<string, string | number>;
export type Translate<K extends string> = (locale: Locale, key: K, params?: Params) => string;

/** Picks the supported locale closest to a hint such as `en-US`, `zh-Hans`, `zh_CN`; falls back to `fallback`. */
export function resolveLocale(hint: string | null | undefined, fallback: Locale): Locale {
  if (!hint) return fallback;
  const h = hint.toLowerCase().replace('_', '-');
  if (h.startsWith('zh')) return 'zh-CN';
  if (h.startsWith('en')) return 'en';
  return fallback;
}

export function translator<K extends string>(catalogue: Catalogue<K>): Translate<K> {
  // Each template is split once into [text, name, text, name, …, text]: every reply fills several, and a morning's
  // reminders some 350,000.
  const split: Record<Locale, Map<K, string[]>> = { 'zh-CN': new Map(), en: new Map() };
  const pieces = (locale: Locale, key: K): string[] => {
    let found = split[locale].get(key);
    if (!found) split[locale].set(key, (found = (catalogue[locale][key] ?? catalogue['zh-CN'][key]).split(/\{(\w+)\}/)));
    return found;
  };
  return (locale, key, params = {}) => {
    const [first, ...rest] = pieces(locale, key);
    let out = first!;
    for (let i = 0; i < rest.length; i += 2) {
      const name = rest[i]!;
      out += (name in params ? String(params[name]) : `{${name}}`) + rest[i + 1]!;
    }
    return out;
  };
}
