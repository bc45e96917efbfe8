// The search page's state <-> its URL (?q=&type=...&offset=).

export const FACETS = ['type', 'country', 'lang', 'tlp', 'origin', 'harm'] as const;
export type Facet = (typeof FACETS)[number];

export interface SearchState {
  q: string;
  filters: Record<Facet, string[]>;
  offset: number;
}

export function emptyFilters(): Record<Facet, string[]> {
  return { type: [], country: [], lang: [], tlp: [], origin: [], harm: [] };
}

export function parseSearch(search: string): SearchState {
  const u = new URLSearchParams(search);
  const filters = emptyFilters();
  for (const f of FACETS) {
    for (const v of u.getAll(f)) for (const x of v.split(',')) if (x && !filters[f].includes(x)) filters[f].push(x);
  }
  const off = Number(u.get('offset') ?? 0);
  return { q: u.get('q') ?? '', filters, offset: Number.isSafeInteger(off) && off > 0 ? off : 0 };
}

export function searchToURL(s: SearchState): string {
  const u = new URLSearchParams();
  if (s.q) u.set('q', s.q);
  for (const f of FACETS) for (const v of s.filters[f]) u.append(f, v);
  if (s.offset > 0) u.set('offset', String(s.offset));
  const q = u.toString();
  return q ? `/search?${q}` : '/search';
}

/** The API request for a state. */
// The hits of a page (facets false), or the facet counts and the exact
// total of the whole query (facets true: one hit, from the first). The page
// asks both at once and shows the hits as soon as they come: counting every
// match for the facets takes longer than finding the best twenty.
export function apiSearchURL(s: SearchState, qlang: string, limit = 20, facets = false): string {
  const u = new URLSearchParams();
  if (s.q.trim()) u.set('q', s.q);
  for (const f of FACETS) if (s.filters[f].length) u.set(f, s.filters[f].join(','));
  u.set('offset', facets ? '0' : String(s.offset));
  u.set('limit', facets ? '1' : String(limit));
  u.set('facets', String(facets));
  u.set('qlang', qlang);
  return `/v1/search?${u.toString()}`;
}
