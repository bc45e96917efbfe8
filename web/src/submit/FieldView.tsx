// One field of the guided form, drawn from its description in fields.ts.
// Every input has a <label>; groups are <fieldset>/<legend>; the hint and the
// error are linked by aria-describedby; an invalid input has aria-invalid.
import type { JSX } from 'preact';
import { countryName } from '../lib/format';
import { locale, t } from '../lib/i18n';
import { utcToLocal } from './build';
import { MEMBER_STATES, REGION_LANGUAGES, fieldId, labelKey, type Field, type RecordType } from './fields';
import { emptyRow, emptyValue, type Row, type Value } from './state';

export interface FieldCtx {
  scope: RecordType | 'env';
  /** Messages shown for a field id (already translated). */
  errors(id: string): string[];
  blur(id: string): void;
  /** Sets the value at a path inside the scope's row. */
  set(path: (string | number)[], value: Value): void;
  /** Moves focus to a field id after the next render (a row just added). */
  focusLater(id: string): void;
  /** TLP markings this caller may choose; undefined = all. */
  tlpAllowed?: readonly string[];
}

export const domId = (id: string): string => `f-${id}`;
const hintId = (id: string): string => `hint-${id}`;
export const errId = (id: string): string => `err-${id}`;

function describedBy(id: string, hasHint: boolean, hasError: boolean): string | undefined {
  const ids = [hasHint ? hintId(id) : '', hasError ? errId(id) : ''].filter(Boolean).join(' ');
  return ids || undefined;
}

function Hint({ id, text }: { id: string; text: string }): JSX.Element {
  return (
    <p class="sub-hint" id={hintId(id)}>
      {text}
    </p>
  );
}

export function ErrorText({ id, messages }: { id: string; messages: string[] }): JSX.Element | null {
  if (messages.length === 0) return null;
  return (
    <p class="sub-error" id={errId(id)} data-testid={`error-${id}`}>
      <span class="visually-hidden">{t('submit.errorPrefix')} </span>
      {messages.join(' ')}
    </p>
  );
}

function Req({ field }: { field: Field }): JSX.Element | null {
  if (!field.required) return null;
  return <span class="sub-req"> ({t('submit.required')})</span>;
}

const str = (v: Value | undefined): string => (typeof v === 'string' ? v : '');
const arr = (v: Value | undefined): string[] => (Array.isArray(v) ? (v as unknown[]).filter((x): x is string => typeof x === 'string') : []);

// A fieldset of repeated items (rows of fields, or lines of text): each item
// with its remove button, then the add button while there is room. Focus
// follows: to the new item when one is added, to a neighbour (or the add
// button) when one is removed.
function Repeated<T>(props: {
  ctx: FieldCtx;
  field: Field;
  id: string;
  path: (string | number)[];
  label: string;
  marked: Field;
  hint: string | undefined;
  errors: string[];
  desc: string | undefined;
  lk: string;
  class: string;
  items: T[];
  empty: () => T;
  focusOf: (i: number) => string;
  renderItem: (i: number, item: string, remove: JSX.Element) => JSX.Element;
}): JSX.Element {
  const { ctx, field, id, path, items } = props;
  return (
    <fieldset class={`sub-group ${props.class}`} id={domId(id)} aria-describedby={props.desc} tabIndex={-1}>
      <legend>
        {props.label}
        <Req field={props.marked} />
      </legend>
      {props.hint ? <Hint id={id} text={props.hint} /> : null}
      <ErrorText id={id} messages={props.errors} />
      {items.map((_, i) => {
        const item = t(`${props.lk}.item`, { n: i + 1 });
        const remove = (
          <button
            type="button"
            class="btn btn-quiet sub-remove"
            aria-label={t('submit.removeItem', { item })}
            onClick={() => {
              const next = items.filter((_, j) => j !== i);
              ctx.set(path, next as Value);
              ctx.focusLater(next.length > 0 ? props.focusOf(Math.min(i, next.length - 1)) : `${id}-add`);
            }}
          >
            {t('submit.remove')}
          </button>
        );
        return props.renderItem(i, item, remove);
      })}
      {field.maxItems === undefined || items.length < field.maxItems ? (
        <button
          type="button"
          class="btn sub-add"
          id={domId(`${id}-add`)}
          onClick={() => {
            ctx.set(path, [...items, props.empty()] as Value);
            ctx.focusLater(props.focusOf(items.length));
          }}
        >
          {t(`${props.lk}.add`)}
        </button>
      ) : null}
    </fieldset>
  );
}

interface Props {
  ctx: FieldCtx;
  field: Field;
  /** Names and indexes inside the scope (body or envelope). */
  path: (string | number)[];
  value: Value | undefined;
  /** Inside an optional group: its members are required only once the group is used, so not marked. */
  inOptional?: boolean;
}

/** Field names only (no row indexes): the label key path. */
function names(path: (string | number)[]): string[] {
  return path.filter((p): p is string => typeof p === 'string');
}

export function FieldView({ ctx, field, path, value, inOptional }: Props): JSX.Element | null {
  if (field.hidden) return null;
  const marked: Field = inOptional ? { ...field, required: false } : field;
  const id = fieldId(path);
  const lk = labelKey(ctx.scope, names(path), field);
  const label = t(lk);
  const hint = field.help ? t(`${lk}.help`) : '';
  const errors = ctx.errors(id);
  const invalid = errors.length > 0;
  const desc = describedBy(id, !!hint, invalid);
  const onBlur = () => ctx.blur(id);
  const widget = field.widget ?? (field.kind === 'enum' ? 'select' : 'text');

  if (field.kind === 'object') {
    const row = (value && typeof value === 'object' && !Array.isArray(value) ? value : emptyRow(field.fields ?? [])) as Row;
    return (
      <fieldset class="sub-group" id={domId(id)} aria-describedby={desc} tabIndex={-1}>
        <legend>
          {label}
          <Req field={marked} />
        </legend>
        {hint ? <Hint id={id} text={hint} /> : null}
        <ErrorText id={id} messages={errors} />
        {field.name === 'answers' ? (
          <div class="sub-answers">
            {(field.fields ?? []).map((f) => (
              <details class="sub-answer" key={f.name} open={hasContent(row[f.name]) || ctx.errors(fieldId([...path, f.name])).length > 0 || undefined}>
                <summary>{t(labelKey(ctx.scope, [], f))}</summary>
                <FieldView ctx={ctx} field={f} path={[...path, f.name]} value={row[f.name]} inOptional />
              </details>
            ))}
          </div>
        ) : (
          <div class={`sub-fields sub-fields-${field.name}`}>
            {(field.fields ?? []).map((f) => (
              <FieldView key={f.name} ctx={ctx} field={f} path={[...path, f.name]} value={row[f.name]} inOptional={inOptional || !field.required} />
            ))}
          </div>
        )}
      </fieldset>
    );
  }

  if (field.kind === 'rows') {
    const rows = (Array.isArray(value) ? value : []) as Row[];
    const fields = field.fields ?? [];
    return (
      <Repeated
        {...{ ctx, field, id, path, label, marked, hint, errors, desc, lk }}
        class="sub-rows"
        items={rows}
        empty={() => emptyRow(fields)}
        focusOf={(i) => fieldId([...path, i, fields[0].name])}
        renderItem={(i, item, remove) => {
          const rowId = fieldId([...path, i]);
          return (
            <fieldset class="sub-row" key={i} id={domId(rowId)}>
              <legend>{item}</legend>
              <ErrorText id={rowId} messages={ctx.errors(rowId)} />
              <div class={`sub-fields sub-fields-${field.name}`}>
                {fields.map((f) => (
                  <FieldView key={f.name} ctx={ctx} field={f} path={[...path, i, f.name]} value={rows[i]?.[f.name]} />
                ))}
              </div>
              {remove}
            </fieldset>
          );
        }}
      />
    );
  }

  if (field.kind === 'list' && widget === 'lines') {
    const items = arr(value);
    return (
      <Repeated
        {...{ ctx, field, id, path, label, marked, hint, errors, desc, lk }}
        class="sub-lines"
        items={items}
        empty={() => ''}
        focusOf={(i) => fieldId([...path, i])}
        renderItem={(i, item, remove) => {
          const itemId = fieldId([...path, i]);
          const itemErrors = ctx.errors(itemId);
          return (
            <div class="sub-line" key={i}>
              <div class="sub-field">
                <label for={domId(itemId)}>{item}</label>
                <ErrorText id={itemId} messages={itemErrors} />
                <input
                  type="text"
                  id={domId(itemId)}
                  name={itemId}
                  value={items[i]}
                  aria-invalid={itemErrors.length > 0 ? 'true' : undefined}
                  aria-describedby={itemErrors.length > 0 ? errId(itemId) : undefined}
                  onInput={(e) => {
                    const next = [...items];
                    next[i] = e.currentTarget.value;
                    ctx.set(path, next);
                  }}
                  onBlur={() => ctx.blur(itemId)}
                />
              </div>
              {remove}
            </div>
          );
        }}
      />
    );
  }

  // Groups of radios or checkboxes.
  if (widget === 'radios' || widget === 'checkboxes' || widget === 'countries') {
    const multi = widget !== 'radios';
    let options: { value: string; label: string; help?: string; lang?: string }[];
    if (widget === 'countries') {
      options = MEMBER_STATES.map((cc) => ({ value: cc, label: countryName(cc, locale()) }));
      options.sort((a, b) => a.label.localeCompare(b.label, locale()));
    } else {
      const ef = field.kind === 'list' ? (field.item as Field) : field;
      options = (ef.enum ?? []).map((v) => ({
        value: v,
        label: t(`submit.enum.${ef.enumKey}.${v}`),
        help: ef.enumHelp ? t(`submit.enum.${ef.enumKey}.${v}.help`) : undefined,
      }));
      if (field.name === 'tlp' && ctx.tlpAllowed) {
        const allowed = ctx.tlpAllowed;
        options = options.filter((o) => allowed.includes(o.value));
      }
    }
    const selected = multi ? arr(value) : [str(value)];
    return (
      <fieldset
        class={`sub-group sub-choices sub-${widget} sub-choices-${field.name}`}
        id={domId(id)}
        aria-describedby={desc}
        tabIndex={-1}
      >
        <legend>
          {label}
          <Req field={marked} />
        </legend>
        {hint ? <Hint id={id} text={hint} /> : null}
        <ErrorText id={id} messages={errors} />
        <div class="sub-options">
          {options.map((o, i) => {
            const oid = `${domId(id)}--${i}`;
            const checked = selected.includes(o.value);
            return (
              <div class="sub-option" key={o.value}>
                <input
                  type={multi ? 'checkbox' : 'radio'}
                  id={oid}
                  name={id}
                  value={o.value}
                  checked={checked}
                  aria-invalid={invalid ? 'true' : undefined}
                  aria-describedby={o.help ? `${oid}-help` : undefined}
                  onChange={(e) => {
                    if (!multi) {
                      ctx.set(path, o.value);
                      return;
                    }
                    const on = e.currentTarget.checked;
                    // Keep the options' order, whatever the clicking order.
                    const set = new Set(selected.filter((s) => s !== o.value));
                    if (on) set.add(o.value);
                    ctx.set(path, options.map((x) => x.value).filter((x) => set.has(x)));
                  }}
                  onBlur={(e) => {
                    // Leaving the group, not moving between its options.
                    const to = e.relatedTarget as Node | null;
                    if (!to || !(e.currentTarget.closest('fieldset') as HTMLElement).contains(to)) onBlur();
                  }}
                />
                <label for={oid}>
                  {field.name === 'tlp' ? (
                    <span class="tlp" data-tlp={o.value}>
                      {o.label}
                    </span>
                  ) : (
                    o.label
                  )}
                </label>
                {o.help ? (
                  <p class="sub-option-hint" id={`${oid}-help`}>
                    {o.help}
                  </p>
                ) : null}
              </div>
            );
          })}
        </div>
      </fieldset>
    );
  }

  // A single control with its label.
  const common = {
    id: domId(id),
    name: id,
    'aria-invalid': invalid ? ('true' as const) : undefined,
    'aria-describedby': desc,
    onBlur,
  };
  const onInput = (e: JSX.TargetedEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
    ctx.set(path, e.currentTarget.value);
  let control: JSX.Element;
  if (widget === 'select' || widget === 'lang') {
    const opts =
      widget === 'lang'
        ? REGION_LANGUAGES.map((l) => ({ value: l.tag, label: l.name, lang: l.tag }))
        : (field.enum ?? []).map((v) => ({ value: v, label: t(`submit.enum.${field.enumKey}.${v}`), lang: undefined }));
    const v = str(value);
    control = (
      <select {...common} value={v} onChange={onInput}>
        {widget !== 'lang' || !opts.some((o) => o.value === v) ? <option value="">{t('submit.choose')}</option> : null}
        {widget === 'lang' && v && !opts.some((o) => o.value === v) ? <option value={v}>{v}</option> : null}
        {opts.map((o) => (
          <option value={o.value} key={o.value} lang={o.lang}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else if (widget === 'textarea') {
    control = <textarea {...common} rows={5} value={str(value)} onInput={onInput} />;
  } else if (widget === 'date') {
    control = <input {...common} type="date" value={str(value)} onInput={onInput} />;
  } else if (widget === 'datetime') {
    const v = str(value);
    control = <input {...common} type="datetime-local" value={/Z$/.test(v) ? utcToLocal(v) : v} onInput={onInput} />;
  } else {
    const numeric = field.kind === 'integer' || field.kind === 'number';
    const mono = field.pattern === '^[0-9a-f]{64}$' || field.name === 'sig' || field.name === 'key';
    control = (
      <input
        {...common}
        type="text"
        class={mono ? 'sub-mono' : undefined}
        inputMode={field.kind === 'integer' ? 'numeric' : numeric ? 'decimal' : undefined}
        spellcheck={mono || numeric ? false : undefined}
        autoComplete="off"
        value={str(value)}
        onInput={onInput}
      />
    );
  }
  return (
    <div class={`sub-field sub-field-${field.name}${invalid ? ' sub-field-invalid' : ''}`}>
      <label for={domId(id)}>
        {label}
        <Req field={marked} />
      </label>
      {hint ? <Hint id={id} text={hint} /> : null}
      <ErrorText id={id} messages={errors} />
      {control}
    </div>
  );
}

function hasContent(v: Value | undefined): boolean {
  if (v === undefined) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.some((x) => hasContent(x as Value));
  return Object.values(v).some(hasContent);
}

export { emptyValue };
