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
  return (locale, key, params) => {
    const template = catalogue[locale][key] ?? catalogue['zh-CN'][key];
    if (!params) return template;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}
