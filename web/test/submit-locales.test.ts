// Every translation of the portal has exactly the keys of English, keeps its
// {placeholders}, and translates (it does not copy English wholesale); the app
// chrome translations (src/locales/{ms,id,th,vi}.json) match web-core's en.json.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { flatten } from '../src/lib/i18n';

const dir = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const load = (path: string) => flatten(JSON.parse(readFileSync(dir(path), 'utf8')));
const LANGS = ['ms', 'id', 'th', 'vi'] as const;
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** Keys missing from and extra in a translation, against English. */
export function keyDiff(en: Record<string, string>, other: Record<string, string>): { missing: string[]; extra: string[] } {
  return {
    missing: Object.keys(en).filter((k) => !(k in other)),
    extra: Object.keys(other).filter((k) => !(k in en)),
  };
}

function checkSet(enPath: string, pathOf: (lang: string) => string, label: string, allowSame: (k: string) => boolean) {
  const en = load(enPath);
  for (const lang of LANGS) {
    describe(`${label}: ${lang}`, () => {
      const other = load(pathOf(lang));
      it('has exactly the keys of en', () => {
        expect(keyDiff(en, other)).toEqual({ missing: [], extra: [] });
      });
      it('keeps every {placeholder}', () => {
        const bad = Object.keys(en).filter((k) => k in other && placeholders(en[k]).join() !== placeholders(other[k]).join());
        expect(bad).toEqual([]);
      });
      it('has no empty messages and translates', () => {
        expect(Object.keys(other).filter((k) => !other[k].trim())).toEqual([]);
        const same = Object.keys(en).filter((k) => other[k] === en[k] && !allowSame(k));
        // Names (TLP:CLEAR, Inspect) stay; more than a few identical texts means an untranslated file.
        expect(same.length, `identical to English: ${same.join(', ')}`).toBeLessThan(Math.max(5, Object.keys(en).length / 20));
      });
    });
  }
}

checkSet('../src/submit/locales/en.json', (l) => `../src/submit/locales/${l}.json`, 'portal', (k) => k.startsWith('submit.enum.tlp.') || k.startsWith('submit.enum.framework.'));

if (existsSync(dir('../src/locales/en.json'))) {
  checkSet('../src/locales/en.json', (l) => `../src/locales/${l}.json`, 'app', () => false);
}

describe('keyDiff can fail', () => {
  it('names missing and extra keys', () => {
    expect(keyDiff({ a: '1', b: '2' }, { a: 'x', c: 'y' })).toEqual({ missing: ['b'], extra: ['c'] });
  });
});
