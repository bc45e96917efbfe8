// The form's state: what the inputs hold, as typed. build.ts turns it into the
// JSON document sent to the node.
import { BODIES, ENVELOPE, RECORD_TYPES, isRecordType, type Field, type RecordType } from './fields';

/** A text input holds a string; checkboxes and `lines` a string[]; `rows` an array of objects; a group an object. */
export type Value = string | string[] | Row[] | Row;
export interface Row {
  [name: string]: Value;
}

export interface FormState {
  type: RecordType;
  env: Row;
  /** One body per type, so switching type and back keeps what was typed. */
  bodies: Partial<Record<RecordType, Row>>;
}

export function emptyValue(field: Field): Value {
  switch (field.kind) {
    case 'list':
      return field.widget === 'csv' ? '' : [];
    case 'rows':
      return Array.from({ length: field.initialRows ?? 0 }, () => emptyRow(field.fields ?? []));
    case 'object':
      return emptyRow(field.fields ?? []);
    default:
      return '';
  }
}

export function emptyRow(fields: readonly Field[]): Row {
  const row: Row = {};
  for (const f of fields) if (!f.hidden) row[f.name] = emptyValue(f);
  return row;
}

export function initialState(lang = 'en', type: RecordType = 'incident'): FormState {
  const env = emptyRow(ENVELOPE);
  env.tlp = 'clear';
  env.lang = lang;
  return { type, env, bodies: { [type]: emptyRow(BODIES[type]) } };
}

export function bodyOf(state: FormState, type: RecordType = state.type): Row {
  return state.bodies[type] ?? emptyRow(BODIES[type]);
}

/** Reads a value at a path of names and indexes. */
export function getAt(root: Row, path: readonly (string | number)[]): Value | undefined {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur as Value | undefined;
}

/** A copy of `root` with the value at `path` replaced (copy on write along the path). */
export function setAt(root: Row, path: readonly (string | number)[], value: Value): Row {
  if (path.length === 0) return value as Row;
  const [head, ...rest] = path;
  const copy: Row | Value[] = Array.isArray(root) ? [...(root as Value[])] : { ...root };
  const child = (root as unknown as Record<string | number, Value>)[head];
  (copy as unknown as Record<string | number, Value>)[head] =
    rest.length === 0 ? value : setAt((child ?? (typeof rest[0] === 'number' ? [] : {})) as Row, rest, value);
  return copy as Row;
}

/** Restores a saved draft, dropping anything that does not fit the current form. */
export function restoreState(raw: unknown, lang: string): FormState | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as { type?: unknown; env?: unknown; bodies?: unknown };
  if (!isRecordType(r.type) || !r.env || typeof r.env !== 'object') return null;
  const base = initialState(lang, r.type);
  const env = { ...base.env };
  for (const f of ENVELOPE) {
    if (f.hidden) continue;
    const v = (r.env as Row)[f.name];
    if (sameShape(v, env[f.name])) env[f.name] = v as Value;
  }
  const bodies: Partial<Record<RecordType, Row>> = {};
  if (r.bodies && typeof r.bodies === 'object') {
    for (const t of RECORD_TYPES) {
      const b = (r.bodies as Record<string, unknown>)[t];
      if (b && typeof b === 'object' && !Array.isArray(b)) {
        const row = emptyRow(BODIES[t]);
        for (const f of BODIES[t]) {
          const v = (b as Row)[f.name];
          if (sameShape(v, row[f.name])) row[f.name] = v as Value;
        }
        bodies[t] = row;
      }
    }
  }
  if (!bodies[r.type]) bodies[r.type] = emptyRow(BODIES[r.type]);
  return { type: r.type, env, bodies };
}

function sameShape(v: unknown, like: Value | undefined): boolean {
  if (like === undefined || v === undefined || v === null) return false;
  if (typeof like === 'string') return typeof v === 'string';
  if (Array.isArray(like)) return Array.isArray(v);
  return typeof v === 'object' && !Array.isArray(v);
}
