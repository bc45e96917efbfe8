import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { getJSON, getToken, type FederationStatus, type RecordList, type Stats } from '../lib/api';
import { locale, t } from '../lib/i18n';
import { countryName, formatDate, formatNumber, formatRelative, shortHash } from '../lib/format';
import { sortedCounts } from '../lib/stats';
import { useModule, useTitle } from '../lib/lazy';
import { Card, ErrorBox, Loading, Tlp } from '../components/common';
import { parseCheckpointSafe } from './dashboard/checkpoint';

type Load<T> = { data: T | null; error: unknown; done: boolean };
const pending = { data: null, error: null, done: false };

function useLoad<T>(path: string | null): Load<T> {
  const [s, setS] = useState<Load<T>>(path ? pending : { data: null, error: null, done: true });
  useEffect(() => {
    if (!path) return;
    const ac = new AbortController();
    getJSON<T>(path, { signal: ac.signal }).then(
      (data) => setS({ data, error: null, done: true }),
      (error: unknown) => {
        if (!ac.signal.aborted) setS({ data: null, error, done: true });
      },
    );
    return () => ac.abort();
  }, [path]);
  return s;
}

export function BarList(props: { items: [string, number][]; label: (k: string) => string; testid?: string; empty: string; max?: number }): JSX.Element {
  const max = props.max ?? Math.max(1, ...props.items.map((i) => i[1]));
  if (props.items.length === 0) return <p class="muted" data-testid={props.testid}>{props.empty}</p>;
  return (
    <ul class="bars" data-testid={props.testid}>
      {props.items.map(([k, v]) => (
        <li key={k}>
          <span class="bar-label">{props.label(k)}</span>
          <span class="bar-track" aria-hidden="true">
            <span class={`bar-fill bar-${k}`} style={{ width: `${Math.max(2, (100 * v) / max)}%` }} />
          </span>
          <span class="bar-value">{formatNumber(v, locale())}</span>
        </li>
      ))}
    </ul>
  );
}

export function Dashboard(): JSX.Element {
  useTitle(`${t('dashboard.title')} · aisafe`);
  const signedIn = !!getToken();
  const stats = useLoad<Stats>('/v1/stats');
  const newest = useLoad<RecordList>('/v1/records?limit=10');
  const fed = useLoad<FederationStatus>(signedIn ? '/v1/federation/status' : null);
  // Fetch the map and chart code while the numbers load.
  useEffect(() => {
    void import('./dashboard/MapView').catch(() => undefined);
    void import('./dashboard/TrendChart').catch(() => undefined);
  }, []);
  const [mapDone, setMapDone] = useState(false);
  const [trendDone, setTrendDone] = useState(false);
  const lc = locale();

  const statsFailed = stats.done && !stats.data;
  const allDone = stats.done && newest.done && fed.done && (mapDone || statsFailed) && (trendDone || statsFailed);
  const marked = useRef(false);
  useEffect(() => {
    if (allDone && !marked.current) {
      marked.current = true;
      document.body.dataset.ready = 'dashboard';
      performance.mark('aisafe:dashboard-ready');
    }
  }, [allDone]);
  useEffect(() => () => {
    delete document.body.dataset.ready;
  }, []);

  const st = stats.data;
  const cp = st?.checkpoint ? st.checkpoint : null;
  const cpParsed = cp ? parseCheckpointSafe(cp.note) : null;

  return (
    <div class="page dashboard">
      <div class="page-head">
        <h1>{t('dashboard.title')}</h1>
        {st ? <p class="muted">{t('dashboard.asOf', { time: formatDate(st.as_of, lc) })}</p> : null}
      </div>

      {stats.error ? <ErrorBox error={stats.error} /> : null}

      <div class="tiles">
        <div class="tile">
          <span class="tile-label">{t('dashboard.weekTotal')}</span>
          <span class="tile-value" data-testid="stat-week-total">
            {st ? formatNumber(st.week.total, lc) : '…'}
          </span>
          {st ? <span class="tile-sub">{t('dashboard.since', { date: formatDate(st.week.from, lc) })}</span> : null}
        </div>
        <div class="tile">
          <span class="tile-label">{t('dashboard.total')}</span>
          <span class="tile-value" data-testid="stat-total">{st ? formatNumber(st.total, lc) : '…'}</span>
          <span class="tile-sub">{t('dashboard.visible')}</span>
        </div>
        <div class="tile">
          <span class="tile-label">{t('dashboard.logSize')}</span>
          <span class="tile-value" data-testid="log-size">{st ? formatNumber(st.log_size, lc) : '…'}</span>
          <span class="tile-sub">{t('dashboard.logEntries')}</span>
        </div>
        <div class="tile" data-testid="checkpoint">
          <span class="tile-label">{t('dashboard.checkpoint')}</span>
          {cp ? (
            <>
              <span class="tile-value">{t('dashboard.checkpointSize', { size: cp.size })}</span>
              <span class="tile-sub mono" title={cp.root}>
                {t('dashboard.root')} {shortHash(cp.root, 10, 4)}
              </span>
              {cpParsed ? <span class="tile-sub">{t('dashboard.signedBy', { names: cpParsed })}</span> : null}
            </>
          ) : (
            <span class="tile-value">{st ? t('dashboard.noCheckpoint') : '…'}</span>
          )}
        </div>
      </div>

      <div class="grid-2">
        <Card title={t('dashboard.byType')} id="by-type">
          {st ? (
            <BarList
              testid="chart-by-type"
              items={sortedCounts(st.week.by_type)}
              label={(k) => t(`type.${k}`)}
              empty={t('dashboard.noneThisWeek')}
            />
          ) : stats.error ? null : (
            <Loading />
          )}
        </Card>
        <Card title={t('dashboard.byCountry')} id="by-country">
          {st ? (
            <BarList
              testid="chart-by-country"
              items={sortedCounts(st.week.by_country)}
              label={(k) => countryName(k, lc)}
              empty={t('dashboard.noneThisWeek')}
            />
          ) : stats.error ? null : (
            <Loading />
          )}
        </Card>
      </div>

      <div class="grid-2">
        <Card title={t('dashboard.map')} id="map" class="map-card">
          {st ? <LazyMap counts={st.incidents_by_country} onRendered={() => setMapDone(true)} /> : stats.error ? null : <Loading />}
        </Card>
        <Card title={t('dashboard.trend')} id="trend">
          {st ? <LazyTrend stats={st} onRendered={() => setTrendDone(true)} /> : stats.error ? null : <Loading />}
        </Card>
      </div>

      <div class="grid-2">
        <Card title={t('dashboard.newest')} id="newest" actions={<a href="/search">{t('dashboard.searchAll')}</a>}>
          {newest.error ? <ErrorBox error={newest.error} /> : null}
          {newest.data ? (
            newest.data.records.length ? (
              <ul class="record-list" data-testid="newest">
                {newest.data.records.map(({ id, record: r }) => (
                  <li key={id}>
                    <Tlp tlp={r.tlp} />
                    <span class="chip">{t(`type.${r.type}`)}</span>
                    <a href={`/records/${id}`} lang={r.lang}>
                      {r.title}
                    </a>
                    <span class="meta">
                      {r.origin} · <time dateTime={r.created}>{formatDate(r.created, lc)}</time>
                    </span>
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted" data-testid="newest">
                {t('dashboard.noRecords')}
              </p>
            )
          ) : newest.error ? null : (
            <Loading />
          )}
        </Card>
        <Card title={t('dashboard.peers')} id="peers">
          {!signedIn ? (
            <p class="muted">
              {t('dashboard.peersSignIn')} <a href="/signin">{t('shell.signin')}</a>
            </p>
          ) : fed.error ? (
            <ErrorBox error={fed.error} />
          ) : fed.data ? (
            <PeersSummary fed={fed.data} />
          ) : (
            <Loading />
          )}
        </Card>
      </div>
    </div>
  );
}

function PeersSummary({ fed }: { fed: FederationStatus }): JSX.Element {
  const lc = locale();
  const alerts = fed.split_views.filter((s) => !s.cleared);
  return (
    <div data-testid="peers">
      {alerts.length ? (
        <p class="notice notice-error" role="alert">
          <a href="/network">{t('network.splitViewShort', { count: alerts.length })}</a>
        </p>
      ) : null}
      {fed.peers.length === 0 ? (
        <p class="muted">{t('network.noPeers')}</p>
      ) : (
        <ul class="peer-list">
          {fed.peers.map((p) => (
            <li key={p.name}>
              <span class={`dot ${p.last_error ? 'dot-bad' : p.last_sync ? 'dot-ok' : 'dot-idle'}`} aria-hidden="true" />
              <strong>{p.name}</strong>
              <span class="meta">
                {p.last_sync ? (
                  <time dateTime={p.last_sync} title={formatDate(p.last_sync, lc)}>
                    {t('network.synced', { when: formatRelative(p.last_sync, lc) })}
                  </time>
                ) : (
                  t('network.neverSynced')
                )}
                {' · '}
                {t('network.receivedN', { count: p.received })}
              </span>
              {p.last_error ? <span class="peer-error">{p.last_error}</span> : null}
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href="/network">{t('dashboard.networkDetails')}</a>
      </p>
    </div>
  );
}

function LazyMap(props: { counts: Record<string, number>; onRendered: () => void }): JSX.Element {
  const { mod, error } = useModule(() => import('./dashboard/MapView'));
  useEffect(() => {
    if (error) props.onRendered();
  }, [error]);
  if (error) return <ErrorBox error={error} />;
  if (!mod) return <Loading label={t('dashboard.loadingMap')} />;
  return <mod.MapView counts={props.counts} onRendered={props.onRendered} />;
}

function LazyTrend(props: { stats: Stats; onRendered: () => void }): JSX.Element {
  const { mod, error } = useModule(() => import('./dashboard/TrendChart'));
  useEffect(() => {
    if (error) props.onRendered();
  }, [error]);
  if (error) return <ErrorBox error={error} />;
  if (!mod) return <Loading label={t('dashboard.loadingChart')} />;
  return <mod.TrendChart stats={props.stats} onRendered={props.onRendered} />;
}
