import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { flatten, interpolate, translate, t } from '../src/lib/i18n';

const en = flatten({ a: { b: 'Hello {name}' }, n: { one: '{count} record', other: '{count} records' }, only: 'English only' });
const ms = flatten({ a: { b: 'Helo {name}' }, n: { other: '{count} rekod' } });

describe('translate', () => {
  it('looks up dotted keys in nested or flat files', () => {
    expect(flatten({ x: { y: { z: 'v' } }, 'p.q': 'w', skip: 3 })).toEqual({ 'x.y.z': 'v', 'p.q': 'w' });
    expect(translate('a.b', { name: 'Siti' }, ms, en, 'ms')).toBe('Helo Siti');
  });

  it('falls back to English, then to the key', () => {
    expect(translate('only', undefined, ms, en, 'ms')).toBe('English only');
    expect(translate('missing.key', undefined, ms, en, 'ms')).toBe('missing.key');
  });

  it('chooses plural forms by Intl.PluralRules and formats numbers', () => {
    expect(translate('n', { count: 1 }, en, en, 'en')).toBe('1 record');
    expect(translate('n', { count: 1234 }, en, en, 'en')).toBe('1,234 records');
    expect(translate('n', { count: 1 }, ms, en, 'ms')).toBe('1 rekod'); // Malay has only "other"
    expect(translate('n', { count: 0 }, {}, en, 'th')).toBe('0 records');
  });

  it('interpolates only known parameters', () => {
    expect(interpolate('{a} and {b}', { a: 'x' })).toBe('x and {b}');
    expect(interpolate('{n}', { n: 1234567 }, 'vi')).toBe('1.234.567');
  });
});

describe('the application strings', () => {
  const src = join(__dirname, '..', 'src');
  const enFile = flatten(JSON.parse(readFileSync(join(src, 'locales', 'en.json'), 'utf8')));

  it('has an English message for every static t() key in the code (outside the submit portal)', () => {
    const keys = new Set<string>();
    const walk = (d: string) => {
      for (const f of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, f.name);
        if (f.isDirectory()) {
          if (f.name !== 'submit') walk(p);
        } else if (/\.tsx?$/.test(f.name)) {
          const text = readFileSync(p, 'utf8');
          for (const m of text.matchAll(/\bt\('([a-zA-Z0-9_.+-]+)'/g)) keys.add(m[1]);
          for (const m of text.matchAll(/msg: '(proof\.[a-z.]+)'/g)) keys.add(m[1]);
        }
      }
    };
    walk(src);
    expect(keys.size).toBeGreaterThan(100);
    const missing = [...keys].filter((k) => !(k in enFile) && !(`${k}.other` in enFile));
    expect(missing).toEqual([]);
  });

  it('names every record type, harm category, role and facet', () => {
    for (const ty of ['incident', 'system', 'assessment', 'evaluation', 'practice', 'oversight']) expect(enFile[`type.${ty}`]).toBeTruthy();
    for (const r of ['public', 'contributor', 'analyst', 'admin']) expect(enFile[`role.${r}`]).toBeTruthy();
    for (const f of ['type', 'country', 'lang', 'tlp', 'origin', 'harm']) expect(enFile[`facet.${f}`]).toBeTruthy();
    const harms = JSON.parse(readFileSync(join(__dirname, '..', '..', 'schemas', 'incident.schema.json'), 'utf8')).properties.harm_categories.items.enum as string[];
    for (const h of harms) expect(enFile[`harm.${h}`], h).toBeTruthy();
  });

  it('translations present parse and add no keys that English lacks', () => {
    for (const lang of ['ms', 'id', 'th', 'vi']) {
      const p = join(src, 'locales', `${lang}.json`);
      if (!existsSync(p)) continue;
      const m = flatten(JSON.parse(readFileSync(p, 'utf8')));
      const base = (k: string) => k.replace(/\.(zero|one|two|few|many|other)$/, '');
      const extra = Object.keys(m).filter((k) => !(k in enFile) && !Object.keys(enFile).some((e) => base(e) === base(k)));
      expect(extra, lang).toEqual([]);
    }
  });

  it('t() works on the bundled English messages', () => {
    expect(t('nav.search')).toBe('Search');
    expect(t('search.total', { count: 2 })).toBe('2 records');
    expect(t('map.countryIncidents', { country: 'Thailand', count: 12 })).toBe('Thailand: 12 incidents');
  });
});
