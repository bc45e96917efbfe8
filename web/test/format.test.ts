import { describe, expect, it } from 'vitest';
import { countryName, formatDate, formatNumber, formatRelative, humanize, shortHash, tlpLabel } from '../src/lib/format';
import { apiSearchURL, emptyFilters, parseSearch, searchToURL } from '../src/lib/searchparams';

describe('formatting', () => {
  it('formats numbers in the locale', () => {
    expect(formatNumber(1234567, 'en')).toBe('1,234,567');
    expect(formatNumber(1234567, 'id')).toBe('1.234.567');
  });

  it('keeps a bare date on its own day whatever the time zone', () => {
    expect(formatDate('2026-11-01', 'en')).toBe('Nov 1, 2026');
    expect(formatDate('2026-11-01', 'vi')).toMatch(/2026/);
    expect(formatDate('not a date', 'en')).toBe('not a date');
    expect(formatDate(null, 'en')).toBe('');
    expect(formatDate('2026-11-23T09:45:22.123Z', 'en')).toMatch(/2026/);
  });

  it('says how long ago', () => {
    const now = Date.parse('2026-11-24T12:00:00Z');
    expect(formatRelative('2026-11-24T11:57:00Z', 'en', now)).toBe('3 minutes ago');
    expect(formatRelative('2026-11-24T11:59:59Z', 'en', now)).toBe('1 second ago');
    expect(formatRelative('2026-11-22T12:00:00Z', 'en', now)).toBe('2 days ago');
  });

  it('names countries, shortens hashes, labels TLP, humanises keys', () => {
    expect(countryName('TH', 'en')).toBe('Thailand');
    expect(countryName('VN', 'vi')).toBe('Việt Nam');
    expect(shortHash('a'.repeat(64))).toBe(`${'a'.repeat(12)}…${'a'.repeat(6)}`);
    expect(shortHash('abc')).toBe('abc');
    expect(tlpLabel('amber+strict')).toBe('TLP:AMBER+STRICT');
    expect(humanize('harm_categories')).toBe('Harm categories');
  });
});

describe('search URL state', () => {
  it('round-trips the query, filters and offset', () => {
    const s = parseSearch('?q=l%E1%BB%ABa+%C4%91%E1%BA%A3o&type=incident,practice&country=VN&offset=20&unknown=1');
    expect(s.q).toBe('lừa đảo');
    expect(s.filters.type).toEqual(['incident', 'practice']);
    expect(s.filters.country).toEqual(['VN']);
    expect(s.offset).toBe(20);
    expect(parseSearch(searchToURL(s).slice('/search'.length))).toEqual(s);
    expect(searchToURL({ q: '', filters: emptyFilters(), offset: 0 })).toBe('/search');
    expect(parseSearch('?offset=-5').offset).toBe(0);
  });

  it('builds the API requests for hits and for facets, with the query language', () => {
    const hits = new URL(apiSearchURL(parseSearch('?q=deepfake&tlp=clear&tlp=green&offset=40'), 'th', 20), 'http://x');
    expect(Object.fromEntries(hits.searchParams)).toEqual({ q: 'deepfake', tlp: 'clear,green', offset: '40', limit: '20', facets: 'false', qlang: 'th' });
    const u = new URL(apiSearchURL(parseSearch('?q=deepfake&tlp=clear&tlp=green&offset=40'), 'th', 20, true), 'http://x');
    expect(u.pathname).toBe('/v1/search');
    expect(Object.fromEntries(u.searchParams)).toEqual({ q: 'deepfake', tlp: 'clear,green', offset: '0', limit: '1', facets: 'true', qlang: 'th' });
    expect(new URL(apiSearchURL(parseSearch(''), 'en'), 'http://x').searchParams.has('q')).toBe(false);
  });
});
