import type { ComponentChildren, JSX } from 'preact';
import { ApiError } from '../lib/api';
import { t } from '../lib/i18n';
import { tlpLabel } from '../lib/format';

/** The FIRST TLP 2.0 label. */
export function Tlp({ tlp }: { tlp: string }): JSX.Element {
  return (
    <span class="tlp" data-tlp={tlp} title={t(`tlp.help.${tlp}`)}>
      {tlpLabel(tlp)}
    </span>
  );
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 404) return t('error.notFound');
    if (e.status === 403) return t('error.forbidden');
    const p = e.problem;
    return p.detail ? `${p.title}: ${p.detail}` : p.title;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

export function ErrorBox({ error, children }: { error: unknown; children?: ComponentChildren }): JSX.Element {
  return (
    <div class="notice notice-error" role="alert">
      <p>{errorText(error)}</p>
      {children}
    </div>
  );
}

export function Loading({ label }: { label?: string }): JSX.Element {
  return (
    <p class="loading" role="status">
      {label ?? t('common.loading')}
    </p>
  );
}

/** A region's heading and body. */
export function Card(props: {
  title: string;
  id?: string;
  class?: string;
  testid?: string;
  children?: ComponentChildren;
  actions?: ComponentChildren;
}): JSX.Element {
  const hid = props.id ? `${props.id}-h` : undefined;
  return (
    <section class={`card ${props.class ?? ''}`} aria-labelledby={hid} data-testid={props.testid}>
      <div class="card-head">
        <h2 id={hid}>{props.title}</h2>
        {props.actions}
      </div>
      {props.children}
    </section>
  );
}
