import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, getJSON, type SearchResult } from '../lib/api';
import { getLang, locale, t } from '../lib/i18n';
import { navigate, useLocation } from '../lib/router';
import { apiSearchURL, FACETS, parseSearch, searchToURL, type Facet, type SearchState } from '../lib/searchparams';
import { countryName, formatDate, formatNumber, languageName } from '../lib/format';
import { sortedCounts } from '../lib/stats';
import { useTitle } from '../lib/lazy';
import { ErrorBox, Tlp, errorText } from '../components/common';

const PAGE = 20;
const DEBOUNCE_MS = 120;

function facetLabel(f: Facet, v: string, lc: string): string {
  switch (f) {
    case 'type':
      return t(`type.${v}`);
    case 'country':
      return countryName(v, lc);
    case 'lang':
      return languageName(v, lc);
    case 'tlp':
      return `TLP:${v.toUpperCase()}`;
    case 'harm':
      return t(`harm.${v}`);
    default:
      return v;
  }
}

export function SearchPage(): JSX.Element {
  useTitle(`${t('search.title')} · aisafe`);
  const loc = useLocation();
  const state = parseSearch(loc.search);
  const [text, setText] = useState(state.q);
  const [result, setResult] = useState<{ key: string; data: SearchResult } | null>(null);
  const [counted, setCounted] = useState<{ key: string; data: SearchResult } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const ac = useRef<AbortController | null>(null);
  const timer = useRef<number | undefined>(undefined);
  const lc = locale();
  const key = searchToURL(state);

  // Keep the box in step with the URL when it changes from outside (back/forward).
  const lastPushedQ = useRef(state.q);
  useEffect(() => {
    if (state.q !== lastPushedQ.current) {
      setText(state.q);
      lastPushedQ.current = state.q;
    }
  }, [state.q]);

  // Fetch whenever the URL's query changes; only the newest answer counts.
  // The facets (and the exact total) come in a second request, so the hits
  // never wait for every match to be counted.
  useEffect(() => {
    ac.current?.abort();
    const c = new AbortController();
    ac.current = c;
    setBusy(true);
    getJSON<SearchResult>(apiSearchURL(state, getLang(), PAGE, true), { signal: c.signal }).then(
      (data) => {
        if (!c.signal.aborted) setCounted({ key, data });
      },
      () => {
        // The hits' request reports errors; the facets keep their last counts.
      },
    );
    getJSON<SearchResult>(apiSearchURL(state, getLang(), PAGE), { signal: c.signal }).then(
      (data) => {
        if (c.signal.aborted) return;
        setResult({ key, data });
        setError(null);
        setBusy(false);
      },
      (e: unknown) => {
        if (c.signal.aborted) return;
        setError(e);
        setBusy(false);
      },
    );
    return () => c.abort();
  }, [key, lc]);

  // Tell the tests and the bench when the results of a query are in the DOM.
  useEffect(() => {
    if (!result || result.key !== key) return;
    document.body.dataset.searchQuery = state.q;
    performance.mark('aisafe:search-rendered');
  }, [result]);
  useEffect(() => () => {
    delete document.body.dataset.searchQuery;
  }, []);

  const go = (s: SearchState, replace = false) => {
    lastPushedQ.current = s.q;
    navigate(searchToURL(s), { replace });
  };

  const onInput = (e: JSX.TargetedEvent<HTMLInputElement>) => {
    const q = e.currentTarget.value;
    setText(q);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => go({ ...parseSearch(location.search), q, offset: 0 }, true), DEBOUNCE_MS);
  };
  const onSubmit = (e: Event) => {
    e.preventDefault();
    window.clearTimeout(timer.current);
    go({ ...state, q: text, offset: 0 });
  };
  useEffect(() => () => window.clearTimeout(timer.current), []);

  const toggle = (f: Facet, v: string, on: boolean) => {
    const filters = { ...state.filters, [f]: on ? [...state.filters[f], v] : state.filters[f].filter((x) => x !== v) };
    window.clearTimeout(timer.current);
    go({ q: text, filters, offset: 0 });
  };

  const data = result?.data ?? null;
  const stale = !!result && result.key !== key;
  // Counts of the query on screen: the facet request's when it has come.
  const counts = counted && result && counted.key === result.key ? counted.data : null;
  const total = counts ?? data;
  const qError = error instanceof ApiError && error.status === 400 ? error : null;

  return (
    <div class="page search-page">
      <div class="page-head">
        <h1>{t('search.title')}</h1>
      </div>
      <form role="search" class="search-form" onSubmit={onSubmit}>
        <label for="q" class="visually-hidden">
          {t('search.label')}
        </label>
        <input
          id="q"
          type="search"
          name="q"
          value={text}
          onInput={onInput}
          placeholder={t('search.placeholder')}
          autoComplete="off"
          spellcheck={false}
          aria-describedby="search-help"
          aria-invalid={qError ? 'true' : undefined}
        />
        <button type="submit" class="btn btn-primary">
          {t('search.button')}
        </button>
      </form>
      <p id="search-help" class="muted small">
        {t('search.help')}
      </p>
      {error ? <ErrorBox error={error} /> : null}

      <div class="search-layout">
        <aside class="facets" data-testid="facets" aria-label={t('search.facets')} aria-busy={counts ? 'false' : 'true'}>
          {FACETS.map((f) => {
            const values = sortedCounts((counts ?? counted?.data)?.facets?.[f]);
            for (const v of state.filters[f]) if (!values.some((c) => c[0] === v)) values.push([v, 0]);
            if (values.length === 0) return null;
            return (
              <fieldset key={f} class="facet">
                <legend>{t(`facet.${f}`)}</legend>
                {values.slice(0, 30).map(([v, n]) => (
                  <label key={v} class="check">
                    <input
                      type="checkbox"
                      name={f}
                      value={v}
                      checked={state.filters[f].includes(v)}
                      onChange={(e) => toggle(f, v, e.currentTarget.checked)}
                    />
                    <span class="check-label">{facetLabel(f, v, lc)}</span>
                    <span class="count">{formatNumber(n, lc)}</span>
                  </label>
                ))}
              </fieldset>
            );
          })}
        </aside>

        <section class="results" aria-labelledby="results-h" aria-busy={busy ? 'true' : 'false'}>
          <h2 id="results-h" class="visually-hidden">
            {t('search.results')}
          </h2>
          {data && total ? (
            <p class="search-total" data-testid="search-total" role="status">
              {total.total_exact
                ? t('search.total', { count: total.total })
                : t('search.totalMore', { count: total.total })}
              {stale ? ` ${t('search.updating')}` : ''}
            </p>
          ) : !error ? (
            <p class="muted" role="status">{t('common.loading')}</p>
          ) : null}
          {data && data.hits.length === 0 ? <p class="empty">{t('search.none')}</p> : null}
          {data ? (
            <ol class="hits" start={data.offset + 1}>
              {data.hits.map((h) => (
                <li class="hit" data-testid="search-hit" key={h.id}>
                  <div class="hit-meta">
                    <Tlp tlp={h.tlp} />
                    <span class="chip">{t(`type.${h.type}`)}</span>
                    <span class="meta">
                      {h.origin} · <time dateTime={h.created}>{formatDate(h.created, lc, false)}</time>
                      {h.countries?.length ? ` · ${h.countries.map((c) => countryName(c, lc)).join(', ')}` : ''}
                    </span>
                  </div>
                  <h3 class="hit-title" lang={h.lang}>
                    <a href={`/records/${h.id}`}>{h.title}</a>
                  </h3>
                  {/* snippet_html is escaped by the node; it holds <mark> elements only. */}
                  <p class="snippet" lang={h.lang} dangerouslySetInnerHTML={{ __html: h.snippet_html }} />
                </li>
              ))}
            </ol>
          ) : null}
          {data && (data.hits.length > 0 || data.offset > 0) ? (
            <nav class="pager" aria-label={t('common.pagination')}>
              <button
                type="button"
                class="btn"
                data-testid="prev-page"
                disabled={data.offset === 0}
                onClick={() => go({ ...state, offset: Math.max(0, data.offset - PAGE) })}
              >
                {t('common.previous')}
              </button>
              <span class="muted">
                {t('search.range', { from: data.offset + 1, to: data.offset + data.hits.length })}
              </span>
              <button
                type="button"
                class="btn"
                data-testid="next-page"
                disabled={data.next_offset === undefined}
                onClick={() => data.next_offset !== undefined && go({ ...state, offset: data.next_offset })}
              >
                {t('common.next')}
              </button>
            </nav>
          ) : null}
          {qError && !data ? <p class="muted">{errorText(qError)}</p> : null}
        </section>
      </div>
    </div>
  );
}
