import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { getJSON, request, type Proof, type RecordDoc } from '../lib/api';
import { has, locale, t } from '../lib/i18n';
import { countryName, formatDate, humanize, languageName } from '../lib/format';
import { nodeInfo } from '../lib/nodeinfo';
import { useTitle } from '../lib/lazy';
import { ErrorBox, Loading, Tlp } from '../components/common';
import { verifyRecord, type Verdict } from '../verify/proof';

const HEX64 = /^[0-9a-f]{64}$/;
const ENVELOPE_SHOWN_APART = new Set(['title', 'summary', 'body', 'tlp', 'type', 'supersedes', 'related']);

// Fields read first, in this order; the others follow in the record's (canonical) order.
const FIRST = [
  'name', 'kind', 'title', 'decision', 'occurred', 'severity', 'domain', 'harm_categories', 'provider', 'purpose', 'sector',
  'risk_tier', 'human_involvement', 'model', 'task', 'framework', 'evaluated', 'description', 'value', 'rating', 'answer',
];
function ordered(keys: string[]): string[] {
  const rank = (k: string) => {
    const i = FIRST.indexOf(k);
    return i < 0 ? FIRST.length : i;
  };
  return keys.map((k, i) => [k, i] as const).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map((x) => x[0]);
}

function fieldLabel(key: string): string {
  return has(`field.${key}`) ? t(`field.${key}`) : humanize(key);
}

function isUrl(s: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(s);
}

function ExternalLink({ href, children }: { href: string; children: string }): JSX.Element {
  return (
    <a href={href} rel="noopener noreferrer nofollow" target="_blank" class="external">
      {children}
    </a>
  );
}

function Scalar({ k, v, lang }: { k: string; v: unknown; lang: string }): JSX.Element {
  const lc = locale();
  if (v === null) return <span class="muted">null</span>;
  if (typeof v === 'boolean') return <span>{v ? t('common.yes') : t('common.no')}</span>;
  if (typeof v === 'number') return <span class="num">{new Intl.NumberFormat(lc, { maximumFractionDigits: 20 }).format(v)}</span>;
  const s = String(v);
  if (HEX64.test(s) && (k === 'record' || k === 'supersedes' || k === 'related')) return <a href={`/records/${s}`} class="mono">{s}</a>;
  // An observable's value is an indicator (a scam site, a phishing URL): shown,
  // never a link, as threat-sharing tools show indicators.
  if (k === 'value') return <span class="mono break">{s}</span>;
  if (isUrl(s)) return <ExternalLink href={s}>{s}</ExternalLink>;
  if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/.test(s)) return <time dateTime={s}>{formatDate(s, lc)}</time>;
  if (k === 'countries' || k === 'deployment_countries') return <span>{countryName(s, lc)} <span class="muted">({s})</span></span>;
  if (k === 'harm_categories' && has(`harm.${s}`)) return <span>{t(`harm.${s}`)}</span>;
  if (/^[0-9a-f]{40,}$/.test(s) || k === 'sig' || k === 'key' || k === 'sha256' || k === 'nonce') return <span class="mono break">{s}</span>;
  return <span lang={lang} class="text">{s}</span>;
}

function Value({ k, v, lang, depth = 0 }: { k: string; v: unknown; lang: string; depth?: number }): JSX.Element {
  if (Array.isArray(v)) {
    if (v.length === 0) return <span class="muted">—</span>;
    if (k === 'sources' && v.every((x) => x && typeof x === 'object')) {
      return (
        <ul class="plain">
          {v.map((src: Record<string, unknown>, i) => (
            <li key={i}>
              {typeof src.url === 'string' && isUrl(src.url) ? (
                <ExternalLink href={src.url}>{String(src.title ?? src.url)}</ExternalLink>
              ) : (
                <span lang={lang}>{String(src.title ?? '')}</span>
              )}
              {typeof src.published === 'string' ? <span class="meta"> · {formatDate(src.published, locale())}</span> : null}
            </li>
          ))}
        </ul>
      );
    }
    if (v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
      const cols = ordered([...new Set(v.flatMap((x) => Object.keys(x as object)))]);
      const flat = v.every((x) => Object.values(x as object).every((y) => y === null || typeof y !== 'object'));
      if (flat && cols.length <= 6) {
        return (
          <div class="table-scroll">
            <table class="data">
              <thead>
                <tr>
                  {cols.map((c) => (
                    <th scope="col" key={c}>
                      {fieldLabel(c)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {v.map((row, i) => (
                  <tr key={i}>
                    {cols.map((c) => (
                      <td key={c}>
                        {(row as Record<string, unknown>)[c] === undefined ? '' : <Scalar k={c} v={(row as Record<string, unknown>)[c]} lang={lang} />}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      }
      return (
        <ol class="plain nested">
          {v.map((x, i) => (
            <li key={i}>
              <Fields obj={x as Record<string, unknown>} lang={lang} depth={depth + 1} />
            </li>
          ))}
        </ol>
      );
    }
    return (
      <ul class="inline-list">
        {v.map((x, i) => (
          <li key={i}>
            <Value k={k} v={x} lang={lang} depth={depth + 1} />
          </li>
        ))}
      </ul>
    );
  }
  if (v !== null && typeof v === 'object') return <Fields obj={v as Record<string, unknown>} lang={lang} depth={depth + 1} />;
  return <Scalar k={k} v={v} lang={lang} />;
}

function Fields({ obj, lang, depth = 0, skip }: { obj: Record<string, unknown>; lang: string; depth?: number; skip?: Set<string> }): JSX.Element {
  const keys = ordered(Object.keys(obj).filter((k) => !skip?.has(k)));
  return (
    <dl class={`fields depth-${Math.min(depth, 3)}`}>
      {keys.map((k) => (
        <div class="field" key={k}>
          <dt>{fieldLabel(k)}</dt>
          <dd>
            <Value k={k} v={obj[k]} lang={lang} depth={depth} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

type ProofState = { state: 'pending' } | { state: 'verified' | 'failed'; verdict: Verdict | null; error?: string };

function ProofPanel({ proof }: { proof: ProofState }): JSX.Element {
  const v = proof.state === 'pending' ? null : proof.verdict;
  let text: string;
  if (proof.state === 'pending') text = t('proof.pending');
  else if (proof.state === 'verified' && v) text = t('proof.verified', { node: v.origin ?? '', size: v.size ?? 0 });
  else if (v) {
    const failed = v.checks.find((c) => !c.ok);
    text = t('proof.failed', { check: failed ? t(`proof.check.${failed.id}`) : '' });
  } else text = t('proof.failedError', { error: proof.state === 'failed' ? proof.error ?? '' : '' });
  return (
    <section class={`proof proof-${proof.state}`} aria-labelledby="proof-h">
      <h2 id="proof-h">{t('proof.title')}</h2>
      <p data-testid="proof-status" data-state={proof.state} role="status" class="proof-status">
        <span class="proof-icon" aria-hidden="true">
          {proof.state === 'pending' ? '…' : proof.state === 'verified' ? '✓' : '✗'}
        </span>{' '}
        {text}
      </p>
      {v ? (
        <ul class="checks">
          {v.checks.map((c) => (
            <li key={c.id} class={c.ok ? 'ok' : 'bad'}>
              <strong>
                <span aria-hidden="true">{c.ok ? '✓ ' : '✗ '}</span>
                {t(`proof.check.${c.id}`)}
                <span class="visually-hidden">{c.ok ? t('proof.passed') : t('proof.notPassed')}</span>
              </strong>
              <span>{t(c.msg, c.params)}</span>
            </li>
          ))}
        </ul>
      ) : null}
      <p class="muted small">{t('proof.explain')}</p>
    </section>
  );
}

export function RecordPage({ id }: { id: string }): JSX.Element {
  const [doc, setDoc] = useState<{ bytes: Uint8Array; text: string; rec: RecordDoc } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [proof, setProof] = useState<ProofState>({ state: 'pending' });
  const lc = locale();
  useTitle(`${doc ? doc.rec.title : t('record.title')} · aisafe`);

  useEffect(() => {
    const ac = new AbortController();
    (async () => {
      const res = await request(`/v1/records/${id}`, { signal: ac.signal });
      const bytes = new Uint8Array(await res.arrayBuffer());
      const text = new TextDecoder().decode(bytes);
      const rec = JSON.parse(text) as RecordDoc;
      setDoc({ bytes, text, rec });
      try {
        const [p, node] = await Promise.all([getJSON<Proof>(`/v1/records/${id}/proof`, { signal: ac.signal }), nodeInfo()]);
        const verdict = await verifyRecord(bytes, id, p, node.key);
        if (!ac.signal.aborted) setProof({ state: verdict.ok ? 'verified' : 'failed', verdict });
      } catch (e) {
        if (!ac.signal.aborted) setProof({ state: 'failed', verdict: null, error: e instanceof Error ? e.message : String(e) });
      }
    })().catch((e: unknown) => {
      if (!ac.signal.aborted) setError(e);
    });
    return () => ac.abort();
  }, [id]);

  const blobUrl = useMemo(() => (doc ? URL.createObjectURL(new Blob([doc.bytes as BlobPart], { type: 'application/json' })) : null), [doc]);
  useEffect(() => () => {
    if (blobUrl) URL.revokeObjectURL(blobUrl);
  }, [blobUrl]);

  if (error) {
    return (
      <div class="page">
        <h1>{t('record.title')}</h1>
        <ErrorBox error={error}>
          <p class="muted small">{t('record.notFoundHelp')}</p>
        </ErrorBox>
      </div>
    );
  }
  if (!doc) {
    return (
      <div class="page">
        <h1 class="visually-hidden">{t('record.title')}</h1>
        <Loading />
      </div>
    );
  }
  const r = doc.rec;
  const envelope = Object.fromEntries(Object.entries(r).filter(([k]) => !ENVELOPE_SHOWN_APART.has(k)));
  return (
    <article class="page record-page">
      <div class="record-head">
        <div class="record-tags">
          <Tlp tlp={r.tlp} />
          <span class="chip">{t(`type.${r.type}`)}</span>
          <span class="meta">
            {r.origin} · <time dateTime={r.created}>{formatDate(r.created, lc)}</time> · {languageName(r.lang, lc)}
          </span>
        </div>
        <h1 lang={r.lang}>{r.title}</h1>
        {r.summary ? (
          <p class="summary" lang={r.lang}>
            {r.summary}
          </p>
        ) : null}
      </div>

      {r.supersedes || r.related?.length ? (
        <nav class="record-links" aria-label={t('record.links')}>
          {r.supersedes ? (
            <p>
              {t('record.supersedes')}{' '}
              <a href={`/records/${r.supersedes}`} data-testid="supersedes" class="mono">
                {r.supersedes.slice(0, 16)}…
              </a>
            </p>
          ) : null}
          {r.related?.length ? (
            <p>
              {t('record.related')}{' '}
              {r.related.map((x, i) => (
                <span key={x}>
                  {i ? ', ' : ''}
                  <a href={`/records/${x}`} data-testid="related" class="mono">
                    {x.slice(0, 16)}…
                  </a>
                </span>
              ))}
            </p>
          ) : null}
        </nav>
      ) : null}

      <div class="record-grid">
        <div class="record-main">
          <section class="card" aria-labelledby="body-h">
            <h2 id="body-h">{t('record.details', { type: t(`type.${r.type}`) })}</h2>
            <Fields obj={r.body ?? {}} lang={r.lang} />
          </section>
          <section class="card" aria-labelledby="env-h">
            <h2 id="env-h">{t('record.envelope')}</h2>
            <Fields obj={{ id, ...envelope }} lang={r.lang} />
          </section>
          <details class="card raw">
            <summary>{t('record.raw')}</summary>
            <pre class="json" tabIndex={0}>
              <code>{JSON.stringify(r, null, 2)}</code>
            </pre>
          </details>
        </div>
        <aside class="record-side">
          <ProofPanel proof={proof} />
          <section class="card" aria-labelledby="get-h">
            <h2 id="get-h">{t('record.get')}</h2>
            <ul class="plain actions">
              <li>
                <a data-testid="download" href={blobUrl ?? '#'} download={`${id}.json`} class="btn">
                  {t('record.download')}
                </a>
              </li>
              <li>
                {/* A plain link carries no token: only a TLP:CLEAR record opens
                    from the API that way; others open as the bytes this page holds. */}
                <a
                  data-testid="raw-json"
                  href={r.tlp === 'clear' ? `/v1/records/${id}` : (blobUrl ?? '#')}
                  data-native=""
                  class="btn btn-quiet"
                >
                  {t('record.rawLink')}
                </a>
              </li>
              {r.tlp === 'clear' && (
                <li>
                  <a href={`/v1/records/${id}/proof`} data-native="" class="btn btn-quiet">
                    {t('record.proofLink')}
                  </a>
                </li>
              )}
            </ul>
            <p class="muted small">
              {t('record.id')} <span class="mono break">{id}</span>
            </p>
          </section>
        </aside>
      </div>
    </article>
  );
}
