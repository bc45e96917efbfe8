// Many records from a file: read, checked locally with the form's validator,
// then sent in one POST as JSON Lines. The node stores all or nothing.
import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { ApiError, request } from '../lib/api';
import { t } from '../lib/i18n';
import { problemIssues } from './problem';
import { parseUpload, toNdjson, type UploadDoc } from './upload';
import { validateDocument, type Role } from './validate';

interface LineError {
  line: number;
  pointer?: string;
  message: string;
}

interface Checked {
  name: string;
  docs: UploadDoc[];
  errors: LineError[];
}

/** Local problems of a file, per line, in line order. */
export function checkUpload(text: string, role: Role): { docs: UploadDoc[]; errors: { line: number; pointer?: string; key: string; vars?: Record<string, string | number> }[] } {
  const parsed = parseUpload(text);
  const errors: { line: number; pointer?: string; key: string; vars?: Record<string, string | number> }[] = parsed.errors.map((e) => ({ ...e }));
  for (const d of parsed.docs) {
    for (const i of validateDocument(d.doc, { role })) {
      errors.push({ line: d.line, pointer: i.pointer, key: i.key, ...(i.vars ? { vars: i.vars } : {}) });
    }
  }
  errors.sort((a, b) => a.line - b.line);
  return { docs: parsed.docs, errors };
}

export function UploadSection({ role, canSend }: { role: Role; canSend: boolean }): JSX.Element {
  const [checked, setChecked] = useState<Checked | null>(null);
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState<{ id: string; created: boolean }[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const statusRef = useRef<HTMLDivElement>(null);

  const onFile = async (e: JSX.TargetedEvent<HTMLInputElement>) => {
    const file = e.currentTarget.files?.[0];
    setSent(null);
    setFailure(null);
    if (!file) {
      setChecked(null);
      return;
    }
    let text: string;
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      setChecked({ name: file.name, docs: [], errors: [{ line: 1, message: t('submit.upload.unreadable') }] });
      return;
    }
    const r = checkUpload(text, canSend ? role : 'contributor');
    setChecked({
      name: file.name,
      docs: r.docs,
      errors: r.errors.map((x) => ({ line: x.line, ...(x.pointer !== undefined ? { pointer: x.pointer } : {}), message: t(x.key, x.vars) })),
    });
  };

  const send = async () => {
    if (!checked || checked.errors.length > 0 || checked.docs.length === 0) return;
    setSending(true);
    setFailure(null);
    try {
      const res = await request('/v1/records', {
        method: 'POST',
        body: toNdjson(checked.docs),
        contentType: 'application/x-ndjson',
        no401: true,
      });
      const out = (await res.json()) as { records?: { id: string; created: boolean }[] };
      setSent(out.records ?? []);
    } catch (err) {
      if (err instanceof ApiError) {
        const p = err.problem;
        if (err.status === 400 || err.status === 403) {
          // The node numbers the lines it was sent; the file's lines may differ (arrays, blank lines).
          const issues = problemIssues(p, undefined);
          const errors: LineError[] = issues.map((i) => {
            const doc = checked.docs[(i.line ?? 1) - 1];
            return {
              line: doc ? doc.line : (i.line ?? 1),
              pointer: i.pointer,
              message: i.key ? t(i.key, i.vars) : i.detail,
            };
          });
          setChecked({ ...checked, errors });
          setFailure(t('submit.upload.rejected') + (errors.length === 0 && p.detail ? ` ${p.detail}` : ''));
        } else if (err.status === 401) setFailure(t('submit.server.401'));
        else if (err.status === 413) setFailure(t('submit.server.413'));
        else if (err.status === 429) setFailure(t('submit.server.429'));
        else setFailure(t('submit.server.failed', { detail: p.detail ? `${p.title}: ${p.detail}` : p.title }));
      } else {
        setFailure(t('submit.server.network'));
      }
    } finally {
      setSending(false);
      setTimeout(() => statusRef.current?.focus(), 0);
    }
  };

  const n = checked?.docs.length ?? 0;
  const bad = checked?.errors.length ?? 0;
  return (
    <section class="sub-upload card" aria-labelledby="sub-upload-h">
      <h2 id="sub-upload-h">{t('submit.upload.title')}</h2>
      <p class="sub-hint" id="hint-upload">
        {t('submit.upload.help')}
      </p>
      <div class="sub-field">
        <label for="f-upload">{t('submit.upload.label')}</label>
        <input
          type="file"
          id="f-upload"
          name="upload"
          accept=".json,.jsonl,.ndjson,application/json,application/x-ndjson"
          aria-describedby="hint-upload"
          onChange={onFile}
        />
      </div>
      {checked ? (
        <div class="sub-upload-status" data-testid="upload-status" tabIndex={-1} ref={statusRef} aria-live="polite">
          {n > 0 ? <p data-testid="upload-count">{t('submit.upload.read', { count: n, name: checked.name })}</p> : null}
          {sent ? (
            <div data-testid="upload-result">
              <p>{t('submit.upload.sent', { count: sent.length })}</p>
              <ul class="sub-upload-ids">
                {sent.slice(0, 50).map((r) => (
                  <li key={r.id}>
                    <a href={`/records/${r.id}`} class="sub-mono">
                      {r.id}
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          ) : bad > 0 ? (
            <div class="sub-summary" role="alert" data-testid="upload-errors">
              <p>{failure ?? t('submit.upload.invalid', { count: bad })}</p>
              <ul>
                {checked.errors.slice(0, 200).map((e, i) => (
                  <li key={i}>
                    {e.pointer
                      ? t('submit.upload.lineAt', { line: e.line, pointer: e.pointer || '/' })
                      : t('submit.upload.line', { line: e.line })}
                    {': '}
                    {e.message}
                  </li>
                ))}
              </ul>
            </div>
          ) : (
            <>
              {failure ? (
                <p class="sub-summary" role="alert">
                  {failure}
                </p>
              ) : null}
              <p>{t('submit.upload.valid', { count: n })}</p>
              {canSend ? (
                <button type="button" class="btn btn-primary" disabled={sending} onClick={send} data-testid="upload-send">
                  {sending ? t('submit.sending') : t('submit.upload.send', { count: n })}
                </button>
              ) : (
                <p>
                  {t('submit.public.note')} <a href="/signin?next=%2Fsubmit">{t('submit.public.signin')}</a>
                </p>
              )}
            </>
          )}
        </div>
      ) : null}
    </section>
  );
}
