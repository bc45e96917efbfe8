import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getJSON, type FederationStatus } from '../lib/api';
import { locale, t } from '../lib/i18n';
import { formatDate, formatNumber, formatRelative, shortHash } from '../lib/format';
import { useSession } from '../lib/session';
import { useTitle } from '../lib/lazy';
import { ErrorBox, Loading } from '../components/common';
import { parseNote, parseCheckpoint } from '../verify/note';

const PAGE = 25;

function noteParts(note: string): { root: string; cosigs: string[] } {
  try {
    const n = parseNote(note);
    const cp = parseCheckpoint(n.text);
    const root = btoa(String.fromCharCode(...cp.root));
    return { root, cosigs: n.signatures.map((s) => s.line) };
  } catch {
    return { root: '', cosigs: note.split('\n').filter((l) => l.startsWith('\u2014 ')) };
  }
}

export function NetworkPage(): JSX.Element {
  useTitle(`${t('network.title')} · aisafe`);
  const s = useSession();
  const [data, setData] = useState<FederationStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [page, setPage] = useState(0);
  const [tick, setTick] = useState(0);
  const lc = locale();
  const signedIn = !!s.token;

  useEffect(() => {
    if (!signedIn) return;
    const ac = new AbortController();
    getJSON<FederationStatus>('/v1/federation/status', { signal: ac.signal }).then(
      (d) => {
        setData(d);
        setError(null);
      },
      (e: unknown) => !ac.signal.aborted && setError(e),
    );
    return () => ac.abort();
  }, [signedIn, tick]);

  if (!signedIn) {
    return (
      <div class="page">
        <h1>{t('network.title')}</h1>
        <p class="notice">
          {t('network.needSignIn')} <a href="/signin?next=/network">{t('shell.signin')}</a>
        </p>
      </div>
    );
  }

  const alerts = data?.split_views.filter((v) => !v.cleared) ?? [];
  const peers = data?.peers ?? [];
  const pages = Math.max(1, Math.ceil(peers.length / PAGE));
  const shown = peers.slice(page * PAGE, page * PAGE + PAGE);

  return (
    <div class="page network-page">
      {alerts.map((a) => (
        <div class="split-alert" role="alert" data-testid="split-view-alert" key={String(a.id)}>
          <h2>{t('network.splitView', { origin: a.origin })}</h2>
          <p>{t('network.splitViewExplain', { origin: a.origin, source: a.source, when: formatDate(a.raised, lc) })}</p>
          <p>
            <strong>{t('network.reason')}</strong> {a.reason}
          </p>
          <details>
            <summary>{t('network.evidence')}</summary>
            <div class="grid-2">
              <pre class="note">{a.first}</pre>
              <pre class="note">{a.second}</pre>
            </div>
          </details>
        </div>
      ))}
      <div class="page-head">
        <h1>{t('network.title')}</h1>
        <button type="button" class="btn btn-quiet" onClick={() => setTick(tick + 1)}>
          {t('common.refresh')}
        </button>
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {!data && !error ? <Loading /> : null}
      {data ? (
        <>
          <section class="card" aria-labelledby="peers-h">
            <h2 id="peers-h">{t('network.peers', { count: peers.length })}</h2>
            {peers.length === 0 ? (
              <p class="muted">{t('network.noPeers')}</p>
            ) : (
              <div class="table-scroll">
                <table class="data responsive">
                  <thead>
                    <tr>
                      <th scope="col">{t('network.peer')}</th>
                      <th scope="col">{t('network.url')}</th>
                      <th scope="col">{t('network.lastSync')}</th>
                      <th scope="col" class="num">
                        {t('network.received')}
                      </th>
                      <th scope="col" class="num">
                        {t('network.rejected')}
                      </th>
                      <th scope="col">{t('network.cursor')}</th>
                      <th scope="col">{t('network.lastError')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((p) => (
                      <tr data-testid="peer-row" key={p.name}>
                        <th scope="row" data-label={t('network.peer')}>
                          <span class={`dot ${p.last_error ? 'dot-bad' : p.last_sync ? 'dot-ok' : 'dot-idle'}`} aria-hidden="true" />
                          {p.name}
                        </th>
                        <td data-label={t('network.url')} class="break">
                          {p.url}
                        </td>
                        <td data-label={t('network.lastSync')}>
                          {p.last_sync ? (
                            <time dateTime={p.last_sync} title={formatRelative(p.last_sync, lc)}>
                              {formatDate(p.last_sync, lc)}
                            </time>
                          ) : (
                            <span class="muted">{t('network.neverSynced')}</span>
                          )}
                        </td>
                        <td data-label={t('network.received')} class="num">
                          {formatNumber(p.received, lc)}
                        </td>
                        <td data-label={t('network.rejected')} class="num">
                          {formatNumber(p.rejected, lc)}
                        </td>
                        <td data-label={t('network.cursor')} class="mono">
                          {p.cursor ?? '—'}
                        </td>
                        <td data-label={t('network.lastError')} class={p.last_error ? 'error-text' : 'muted'}>
                          {p.last_error ?? t('network.noError')}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {pages > 1 ? (
              <nav class="pager" aria-label={t('common.pagination')}>
                <button type="button" class="btn" disabled={page === 0} onClick={() => setPage(page - 1)}>
                  {t('common.previous')}
                </button>
                <span class="muted">{t('common.pageOf', { page: page + 1, pages })}</span>
                <button type="button" class="btn" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
                  {t('common.next')}
                </button>
              </nav>
            ) : null}
          </section>

          <section class="card" aria-labelledby="wit-h">
            <h2 id="wit-h">{t('network.witnessed')}</h2>
            <p class="muted small">{t('network.witnessedExplain')}</p>
            {data.witnessed.length === 0 ? (
              <p class="muted">{t('network.noWitnessed')}</p>
            ) : (
              <ul class="witnessed">
                {data.witnessed.map((w) => {
                  const np = noteParts(w.checkpoint);
                  return (
                    <li key={w.origin} data-testid="witnessed" class="card-inner">
                      <h3>{w.origin}</h3>
                      <dl class="fields">
                        <div class="field">
                          <dt>{t('network.size')}</dt>
                          <dd>{formatNumber(w.size, lc)}</dd>
                        </div>
                        <div class="field">
                          <dt>{t('network.updated')}</dt>
                          <dd>
                            <time dateTime={w.updated}>{formatDate(w.updated, lc)}</time>
                          </dd>
                        </div>
                        {np.root ? (
                          <div class="field">
                            <dt>{t('dashboard.root')}</dt>
                            <dd class="mono" title={np.root}>
                              {shortHash(np.root, 16, 6)}
                            </dd>
                          </div>
                        ) : null}
                      </dl>
                      <p class="small">{t('network.signatures', { count: np.cosigs.length })}</p>
                      <pre class="note cosigs" data-testid="cosignatures">
                        {np.cosigs.join('\n')}
                      </pre>
                    </li>
                  );
                })}
              </ul>
            )}
          </section>

          <section class="card" aria-labelledby="sv-h">
            <h2 id="sv-h">{t('network.splitViews')}</h2>
            {data.split_views.length === 0 ? (
              <p class="muted">{t('network.noSplitViews')}</p>
            ) : (
              <div class="table-scroll">
                <table class="data">
                  <thead>
                    <tr>
                      <th scope="col">{t('network.origin')}</th>
                      <th scope="col">{t('network.reasonColumn')}</th>
                      <th scope="col">{t('network.source')}</th>
                      <th scope="col">{t('network.raised')}</th>
                      <th scope="col">{t('network.cleared')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.split_views.map((v) => (
                      <tr key={String(v.id)} class={v.cleared ? '' : 'row-alert'}>
                        <td>{v.origin}</td>
                        <td>{v.reason}</td>
                        <td>{v.source}</td>
                        <td>{formatDate(v.raised, lc)}</td>
                        <td>{v.cleared ? formatDate(v.cleared, lc) : <strong class="error-text">{t('network.open')}</strong>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      ) : null}
    </div>
  );
}
