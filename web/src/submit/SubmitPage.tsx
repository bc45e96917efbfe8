// The submission portal (/submit): a guided form per record type, generated
// from fields.ts, validated in place (on blur and on submit, and again by the
// node, whose 400 problems land on the same fields), plus a file upload for
// many records at once.
import type { JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, request } from '../lib/api';
import { getLang, t, useLang } from '../lib/i18n';
import { useSession } from '../lib/session';
import { buildDocument, type Doc } from './build';
import { oversightSigningInput } from './canonical';
import { FieldView, domId, type FieldCtx } from './FieldView';
import { BODIES, CONTRIBUTOR_TLP, ENVELOPE, RECORD_TYPES, TLP, isRecordType, labelKey, type Field, type RecordType } from './fields';
import { problemIssues, type ServerIssue } from './problem';
import { bodyOf, emptyRow, initialState, restoreState, setAt, type FormState, type Row, type Value } from './state';
import { UploadSection } from './UploadSection';
import { validateForm, type Issue, type Role } from './validate';
import './submit.css';

const DRAFT_KEY = 'aisafe.submit.draft';

function loadDraft(lang: string): FormState | null {
  try {
    const raw = sessionStorage.getItem(DRAFT_KEY);
    const s = raw ? restoreState(JSON.parse(raw), lang) : null;
    return s && !isBlank(s) ? s : null;
  } catch {
    return null;
  }
}

/** Nothing typed yet (defaults aside): not worth keeping or announcing as a draft. */
export function isBlank(state: FormState): boolean {
  const d = buildDocument(state);
  const typed = ['title', 'summary', 'countries', 'audience', 'supersedes', 'related'].some((k) => d[k] !== undefined);
  return !typed && Object.keys(d.body as object).length === 0;
}

function saveDraft(state: FormState | null): void {
  try {
    if (state && !isBlank(state)) sessionStorage.setItem(DRAFT_KEY, JSON.stringify(state));
    else sessionStorage.removeItem(DRAFT_KEY);
  } catch {
    /* storage full or unavailable: the draft is a convenience */
  }
}


/** Focuses a field by its id: the input itself, or the first control of its group. */
export function focusField(id: string): boolean {
  const el = document.getElementById(domId(id));
  if (!el) return false;
  const target = el.matches('input, select, textarea, button')
    ? el
    : ((el.querySelector('input:checked, input, select, textarea, button') as HTMLElement | null) ?? el);
  target.focus();
  target.scrollIntoView?.({ block: 'center' });
  return true;
}

/** The label of a field id, for the error summary ("Title", "Observable 2 · Value"). */
function fieldLabel(type: RecordType, id: string): string {
  if (id === 'type') return t('submit.type.label');
  if (id === '') return '';
  const parts = id.split('-');
  // Walk the description, consuming parts: names may hold "-" (principles).
  const inBody = !ENVELOPE.some((f) => f.name === parts[0]);
  let fields: readonly Field[] = inBody ? BODIES[type] : ENVELOPE;
  const scope = inBody ? type : 'env';
  const names: string[] = [];
  const out: string[] = [];
  let i = 0;
  while (i < parts.length) {
    let f: Field | undefined;
    let j = parts.length;
    for (; j > i; j--) {
      const name = parts.slice(i, j).join('-');
      f = fields.find((x) => x.name === name);
      if (f) break;
    }
    if (!f) break;
    names.push(f.name);
    const lk = labelKey(scope, names, f);
    i = j;
    if ((f.kind === 'rows' || (f.kind === 'list' && f.widget === 'lines')) && /^\d+$/.test(parts[i] ?? '')) {
      out.push(t(`${lk}.item`, { n: Number(parts[i]) + 1 }));
      i++;
      if (f.kind === 'rows') fields = f.fields ?? [];
      continue;
    }
    if (f.kind === 'object' && i < parts.length) {
      // A group's own name reads well in front of its members ("Money lost · Currency"), answers' principle too.
      out.push(t(lk));
      fields = f.fields ?? [];
      continue;
    }
    out.push(t(lk));
  }
  return out.join(' · ');
}

interface Result {
  id: string;
  created: boolean;
}

interface Notice {
  key: string;
  vars?: Record<string, string | number>;
  signin?: boolean;
}

export function SubmitPage(): JSX.Element {
  useLang();
  const session = useSession();
  const role: Role = session.me?.role ?? 'public';
  const known = session.me !== null;
  const canSend = known && role !== 'public';
  const tlpAllowed: readonly string[] = role === 'analyst' || role === 'admin' ? TLP : CONTRIBUTOR_TLP;

  const [restored] = useState(() => loadDraft(getLang()));
  const [state, setState] = useState<FormState>(() => restored ?? initialState(getLang()));
  const [revealed, setRevealed] = useState<Set<string>>(() => new Set());
  const [serverErrors, setServerErrors] = useState<ServerIssue[]>([]);
  const [summaryShown, setSummaryShown] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  // Fields the user changed: leaving one of them checks it (leaving an untouched field does not nag).
  const dirty = useRef<Set<string>>(new Set());
  const focusNext = useRef<string | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const resultRef = useRef<HTMLHeadingElement>(null);
  const uiLang = useRef(getLang());

  // The record's language follows the interface language until the user picks one.
  const lang = getLang();
  useEffect(() => {
    if (uiLang.current !== lang) {
      const prev = uiLang.current;
      uiLang.current = lang;
      setState((s) => (s.env.lang === prev ? { ...s, env: { ...s.env, lang } } : s));
    }
  }, [lang]);

  useEffect(() => {
    if (!result) saveDraft(state);
  }, [state, result]);

  useEffect(() => {
    if (focusNext.current) {
      const id = focusNext.current;
      focusNext.current = null;
      focusField(id);
    }
  });

  const issues = useMemo(() => validateForm(state, { role: canSend ? role : 'contributor' }), [state, role, canSend]);

  // What is shown: local problems of revealed fields, then the node's.
  const shown: { field: string; message: string }[] = [];
  for (const i of issues) {
    if (revealed.has(i.field) || [...revealed].some((r) => i.field.startsWith(r + '-'))) {
      shown.push({ field: i.field, message: t(i.key, i.vars) });
    }
  }
  for (const s of serverErrors) {
    shown.push({ field: s.field, message: s.key ? t(s.key, s.vars) : t('submit.err.server', { detail: s.detail }) });
  }
  const byField = new Map<string, string[]>();
  for (const s of shown) {
    const list = byField.get(s.field) ?? [];
    if (!list.includes(s.message)) list.push(s.message);
    byField.set(s.field, list);
  }

  const setEnv = (path: (string | number)[], value: Value) => {
    setState((s) => ({ ...s, env: setAt(s.env, path, value) }));
    dropServer(path);
  };
  const setBody = (path: (string | number)[], value: Value) => {
    setState((s) => ({ ...s, bodies: { ...s.bodies, [s.type]: setAt(bodyOf(s), path, value) } }));
    dropServer(path);
  };
  // The node's message for a field goes once the field changes.
  const dropServer = (path: (string | number)[]) => {
    const id = path.join('-');
    dirty.current.add(id);
    setServerErrors((list) => (list.some((e) => e.field === id || e.field.startsWith(id + '-')) ? list.filter((e) => !(e.field === id || e.field.startsWith(id + '-'))) : list));
    if (result) setResult(null);
  };
  const reveal = (id: string) => {
    if (!dirty.current.has(id) && !revealed.has(id)) return;
    setRevealed((r) => {
      if (r.has(id)) return r;
      const n = new Set(r);
      n.add(id);
      return n;
    });
  };

  const common = {
    errors: (id: string) => byField.get(id) ?? [],
    blur: reveal,
    focusLater: (id: string) => {
      focusNext.current = id;
    },
  };
  const envCtx: FieldCtx = { ...common, scope: 'env', set: setEnv, tlpAllowed };
  const bodyCtx: FieldCtx = { ...common, scope: state.type, set: setBody };

  const envField = (name: string) => {
    const f = ENVELOPE.find((x) => x.name === name) as Field;
    return <FieldView ctx={envCtx} field={f} path={[name]} value={state.env[name]} />;
  };

  const onType = (e: JSX.TargetedEvent<HTMLSelectElement>) => {
    const type = e.currentTarget.value;
    if (!isRecordType(type)) return;
    setState((s) => ({ ...s, type, bodies: { ...s.bodies, [type]: s.bodies[type] ?? emptyRow(BODIES[type]) } }));
    setServerErrors([]);
  };

  const focusFirstError = (fields: string[]) => {
    // The first in page order.
    const els = fields
      .map((f) => ({ f, el: document.getElementById(domId(f)) }))
      .filter((x): x is { f: string; el: HTMLElement } => !!x.el);
    els.sort((a, b) => (a.el.compareDocumentPosition(b.el) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    if (els.length > 0) focusField(els[0].f);
    else summaryRef.current?.focus();
  };

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setNotice(null);
    setServerErrors([]);
    const all = new Set(revealed);
    for (const i of issues) all.add(i.field);
    setRevealed(all);
    setSummaryShown(true);
    if (issues.length > 0) {
      setTimeout(() => focusFirstError(issues.map((i) => i.field)), 0);
      return;
    }
    if (!canSend) {
      setNotice({ key: 'submit.public.note', signin: true });
      setTimeout(() => summaryRef.current?.focus(), 0);
      return;
    }
    const doc: Doc = buildDocument(state);
    setSending(true);
    try {
      const res = await request('/v1/records', {
        method: 'POST',
        body: JSON.stringify(doc),
        contentType: 'application/json',
        no401: true,
      });
      const out = (await res.json()) as { records?: { id: string; created: boolean }[] };
      const rec = out.records?.[0];
      if (!rec) throw new Error('no record in the answer');
      setResult({ id: rec.id, created: rec.created });
      saveDraft(null);
      setSummaryShown(false);
      setTimeout(() => resultRef.current?.focus(), 0);
    } catch (err) {
      handleError(err, state.type);
    } finally {
      setSending(false);
    }
  };

  const handleError = (err: unknown, type: RecordType) => {
    if (!(err instanceof ApiError)) {
      setNotice({ key: 'submit.server.network' });
      setTimeout(() => summaryRef.current?.focus(), 0);
      return;
    }
    const p = err.problem;
    if (err.status === 400 || err.status === 403) {
      const mapped = problemIssues(p, type);
      setServerErrors(mapped.filter((m) => m.field !== ''));
      const loose = mapped.filter((m) => m.field === '');
      if (loose.length > 0 || mapped.length === 0) {
        setNotice(
          err.status === 403
            ? { key: 'submit.server.403' }
            : { key: 'submit.server.failed', vars: { detail: loose.map((l) => l.detail).join(' ') || p.detail || p.title } },
        );
      }
      const fields = mapped.filter((m) => m.field !== '').map((m) => m.field);
      setTimeout(() => (fields.length > 0 ? focusFirstError(fields) : summaryRef.current?.focus()), 0);
      return;
    }
    if (err.status === 401) setNotice({ key: 'submit.server.401', signin: true });
    else if (err.status === 413) setNotice({ key: 'submit.server.413' });
    else if (err.status === 429) setNotice({ key: 'submit.server.429' });
    else setNotice({ key: 'submit.server.failed', vars: { detail: p.detail ? `${p.title}: ${p.detail}` : p.title } });
    setTimeout(() => summaryRef.current?.focus(), 0);
  };

  const reset = (keep: boolean) => {
    const fresh = initialState(getLang(), state.type);
    if (keep) {
      // Another report is often about the same places and language.
      fresh.env.lang = state.env.lang;
      fresh.env.countries = state.env.countries;
      fresh.env.tlp = state.env.tlp;
    }
    setState(fresh);
    setRevealed(new Set());
    dirty.current = new Set();
    setServerErrors([]);
    setSummaryShown(false);
    setNotice(null);
    setResult(null);
    saveDraft(null);
  };

  // The summary lists problems in the order of the form.
  const order = ['type', 'title', 'summary', ...BODIES[state.type].map((f) => f.name), 'tlp', 'audience', 'lang', 'countries', 'supersedes', 'related'];
  const rank = (field: string) => {
    const i = order.indexOf(field.split('-')[0]);
    return i < 0 ? order.length : i;
  };
  shown.sort((a, b) => rank(a.field) - rank(b.field));
  const summaryItems = summaryShown ? shown : serverErrors.length > 0 ? shown.filter((s) => serverErrors.some((e) => e.field === s.field)) : [];
  const showSummary = (summaryItems.length > 0 || notice !== null) && !result;

  const signingInput = useMemo(() => {
    if (state.type !== 'oversight') return '';
    const body = buildDocument(state).body as { [k: string]: import('./build').Json };
    try {
      return oversightSigningInput(body);
    } catch {
      return '';
    }
  }, [state]);

  const body: Row = bodyOf(state);

  return (
    <div class="submit-page">
      <h1>{t('submit.title')}</h1>
      <p class="sub-lead">{t('submit.intro')}</p>

      {known && !canSend ? (
        <div class="notice sub-public-note" data-testid="submit-public-note">
          <p>{t('submit.public.note')}</p>
          <p>
            <a href="/signin?next=%2Fsubmit">{t('submit.public.signin')}</a>
          </p>
        </div>
      ) : null}
      {canSend && session.me?.name ? <p class="sub-muted">{t('submit.signedInAs', { name: session.me.name })}</p> : null}
      {restored && !result ? <p class="sub-muted">{t('submit.draft.restored')}</p> : null}

      {result ? (
        <section class="sub-result" data-testid="submit-result" aria-labelledby="sub-result-h">
          <h2 id="sub-result-h" tabIndex={-1} ref={resultRef}>
            {t('submit.result.title')}
          </h2>
          <p>{t(result.created ? 'submit.result.created' : 'submit.result.existing')}</p>
          <p>
            {t('submit.result.id')}:{' '}
            <a href={`/records/${result.id}`} class="sub-mono">
              {result.id}
            </a>
          </p>
          <p class="sub-actions">
            <a class="btn" href={`/records/${result.id}`}>
              {t('submit.result.view')}
            </a>
            <button type="button" class="btn btn-quiet" onClick={() => reset(true)}>
              {t('submit.result.another')}
            </button>
          </p>
        </section>
      ) : null}

      {showSummary ? (
        <div class="sub-summary" role="alert" tabIndex={-1} ref={summaryRef} aria-labelledby="sub-summary-h">
          <h2 id="sub-summary-h">{t('submit.errorSummary.title')}</h2>
          {notice ? (
            <p>
              {t(notice.key, notice.vars)}
              {notice.signin ? (
                <>
                  {' '}
                  <a href="/signin?next=%2Fsubmit">{t('submit.public.signin')}</a>
                </>
              ) : null}
            </p>
          ) : null}
          {summaryItems.length > 0 ? (
            <ul>
              {summaryItems.map((s, i) => {
                const label = fieldLabel(state.type, s.field);
                const text = label ? `${label}: ${s.message}` : s.message;
                return (
                  <li key={i}>
                    {s.field && document.getElementById(domId(s.field)) !== null ? (
                      <a
                        href={`#${domId(s.field)}`}
                        onClick={(e) => {
                          e.preventDefault();
                          focusField(s.field);
                        }}
                      >
                        {text}
                      </a>
                    ) : (
                      text
                    )}
                  </li>
                );
              })}
            </ul>
          ) : null}
        </div>
      ) : null}

      <form data-testid="submit-form" class="sub-form" noValidate onSubmit={onSubmit} hidden={!!result}>
        <p class="sub-muted">{t('submit.requiredNote')}</p>
        <div class="sub-field sub-field-type">
          <label for={domId('type')}>{t('submit.type.label')}</label>
          <p class="sub-hint" id="hint-type">
            {t(`submit.type.${state.type}.help`)}
          </p>
          <select id={domId('type')} name="type" value={state.type} onChange={onType} aria-describedby="hint-type">
            {RECORD_TYPES.map((ty) => (
              <option value={ty} key={ty}>
                {t(`submit.type.${ty}`)}
              </option>
            ))}
          </select>
        </div>

        <fieldset class="sub-section">
          <legend>{t('submit.section.about')}</legend>
          {envField('title')}
          {envField('summary')}
        </fieldset>

        <fieldset class="sub-section">
          <legend>{t('submit.section.details')}</legend>
          {BODIES[state.type].map((f) => (
            <FieldView key={`${state.type}.${f.name}`} ctx={bodyCtx} field={f} path={[f.name]} value={body[f.name]} />
          ))}
          {state.type === 'oversight' ? (
            <div class="sub-field">
              <label for="f-signing-input">{t('submit.oversight.signingInput')}</label>
              <p class="sub-hint" id="hint-signing-input">
                {t('submit.oversight.signingInput.help')}
              </p>
              <textarea
                id="f-signing-input"
                class="sub-mono"
                readOnly
                rows={4}
                value={signingInput}
                aria-describedby="hint-signing-input"
              />
            </div>
          ) : null}
        </fieldset>

        <fieldset class="sub-section">
          <legend>{t('submit.section.sharing')}</legend>
          {canSend && role === 'contributor' ? <p class="sub-hint">{t('submit.tlp.restricted')}</p> : null}
          {envField('tlp')}
          {state.env.tlp === 'amber' || state.env.tlp === 'amber+strict' ? envField('audience') : null}
          {envField('lang')}
          {envField('countries')}
        </fieldset>

        <fieldset class="sub-section">
          <legend>{t('submit.section.links')}</legend>
          {envField('supersedes')}
          {envField('related')}
        </fieldset>

        {known && !canSend ? (
          <p class="notice sub-public-note">
            {t('submit.public.note')} <a href="/signin?next=%2Fsubmit">{t('submit.public.signin')}</a>
          </p>
        ) : null}
        <p class="sub-muted">{t('submit.draft.note')}</p>
        <div class="sub-actions">
          <button type="submit" class="btn btn-primary" disabled={sending} aria-disabled={sending ? 'true' : undefined}>
            {sending ? t('submit.sending') : t('submit.send')}
          </button>
          <button type="button" class="btn btn-quiet" onClick={() => reset(false)}>
            {t('submit.reset')}
          </button>
        </div>
      </form>

      <UploadSection role={role} canSend={canSend} />
    </div>
  );
}

export type { Issue };
