// Interface text. Every string goes through t(key, params).
//
// Messages: locales/<lang>.json (the app) merged with submit/locales/<lang>.json
// (the submission portal). Files may be flat ({"nav.search": "Search"}) or nested
// ({"nav": {"search": "Search"}}); both become dotted keys. English is bundled;
// other languages load on demand. A key missing in a language falls back to
// English, then to the key itself.
//
// Interpolation: "{name}" is replaced by params.name. Plurals: when params.count
// is a number and "<key>.<plural category>" exists (Intl.PluralRules: one, other,
// ...), that message is used; "<key>.other" is the fallback.
import { Notifier, useNotifier } from './notify';

export type Messages = Record<string, string>;
export type Params = Record<string, string | number>;

export const LANGS = ['en', 'ms', 'id', 'th', 'vi'] as const;
export type Lang = (typeof LANGS)[number];
export const LANG_NAMES: Record<Lang, string> = {
  en: 'English', ms: 'Bahasa Melayu', id: 'Bahasa Indonesia', th: 'ไทย', vi: 'Tiếng Việt',
};

export function flatten(obj: unknown, prefix = '', out: Messages = {}): Messages {
  if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (typeof v === 'string') out[key] = v;
      else flatten(v, key, out);
    }
  }
  return out;
}

export function interpolate(msg: string, params?: Params, locale = 'en'): string {
  if (!params) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = params[name];
    if (v === undefined) return m;
    return typeof v === 'number' ? new Intl.NumberFormat(locale).format(v) : v;
  });
}

/** Pure lookup: messages of the language, then the fallback, then the key. */
export function translate(
  key: string, params: Params | undefined, messages: Messages, fallback: Messages, locale = 'en',
): string {
  const pick = (m: Messages): string | undefined => {
    if (params && typeof params.count === 'number') {
      const cat = new Intl.PluralRules(locale).select(params.count);
      const p = m[`${key}.${cat}`] ?? m[`${key}.other`];
      if (p !== undefined) return p;
    }
    return m[key];
  };
  const msg = pick(messages) ?? pick(fallback);
  return interpolate(msg ?? key, params, locale);
}

export function isLang(x: unknown): x is Lang {
  return typeof x === 'string' && (LANGS as readonly string[]).includes(x);
}

// --- the running application's state ---------------------------------------

type Loader = () => Promise<unknown>;
const appEager = import.meta.glob<unknown>('../locales/en.json', { eager: true, import: 'default' });
const submitEager = import.meta.glob<unknown>('../submit/locales/en.json', { eager: true, import: 'default' });
const appLazy = import.meta.glob<unknown>(['../locales/*.json', '!../locales/en.json'], { import: 'default' }) as Record<string, Loader>;
const submitLazy = import.meta.glob<unknown>(['../submit/locales/*.json', '!../submit/locales/en.json'], { import: 'default' }) as Record<string, Loader>;

const english: Messages = {
  ...flatten(Object.values(appEager)[0]),
  ...flatten(Object.values(submitEager)[0]),
};
const loaded: Partial<Record<Lang, Messages>> = { en: english };
let current: Lang = 'en';
const changes = new Notifier();

export function getLang(): Lang {
  return current;
}

/** The locale for Intl formatting: the interface language. */
export function locale(): string {
  return current;
}

/** Whether a message exists for the key (in the language or in English). */
export function has(key: string): boolean {
  return key in (loaded[current] ?? english) || key in english;
}

export function t(key: string, params?: Params): string {
  return translate(key, params, loaded[current] ?? english, english, current);
}

async function load(lang: Lang): Promise<Messages> {
  const have = loaded[lang];
  if (have) return have;
  const a = appLazy[`../locales/${lang}.json`];
  const s = submitLazy[`../submit/locales/${lang}.json`];
  const [am, sm] = await Promise.all([a ? a().catch(() => ({})) : {}, s ? s().catch(() => ({})) : {}]);
  const m = { ...flatten(am), ...flatten(sm) };
  loaded[lang] = m;
  return m;
}

const STORAGE_KEY = 'aisafe.lang';

export function storedLang(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (isLang(v)) return v;
  } catch {
    /* storage may be unavailable */
  }
  return 'en';
}

export async function setLang(lang: Lang): Promise<void> {
  await load(lang);
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    /* ignore */
  }
  document.documentElement.lang = lang;
  changes.notify();
}

/** Re-renders the calling component when the interface language changes. */
export function useLang(): void {
  useNotifier(changes);
}
