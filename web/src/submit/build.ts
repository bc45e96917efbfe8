// Form state -> the JSON document sent to the node. Trims text, leaves out
// empty optional fields, turns typed numbers into numbers and comma lists
// into arrays. Something it cannot convert (a number typed as "12a") is kept
// as typed, so validate.ts reports it against the right field.
import { BODIES, ENVELOPE, type Field } from './fields';
import type { FormState, Row, Value } from './state';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Doc = { [k: string]: Json };

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The TLP markings that carry an audience. */
export function needsAudience(tlp: unknown): boolean {
  return tlp === 'amber' || tlp === 'amber+strict';
}

export function parseNumber(text: string): number | string {
  const t = text.trim();
  if (!NUMBER.test(t)) return t;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

/** "2026-11-23T09:45" in the viewer's time zone -> "2026-11-23T02:45:00Z". Anything else is returned as typed. */
export function localToUtc(text: string): string {
  const t = text.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (!m) return t;
  const d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0);
  if (Number.isNaN(d.getTime()) || d.getFullYear() !== +m[1] || d.getMonth() !== +m[2] - 1 || d.getDate() !== +m[3]) {
    return t;
  }
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The inverse, for showing a stored UTC time in a datetime-local input. */
export function utcToLocal(text: string): string {
  const d = new Date(text);
  if (!/Z$/.test(text) || Number.isNaN(d.getTime())) return text;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function splitList(text: string, field: Field): string[] {
  // Node names and record ids have no spaces: any space separates. Free
  // words (sectors) may hold spaces: only commas, semicolons and new lines do.
  const sep = field.item?.pattern ? /[\s,;]+/ : /[,;\n]+/;
  return text
    .split(sep)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** One field's value as JSON, or undefined to leave it out. */
export function convert(field: Field, value: Value | undefined): Json | undefined {
  if (value === undefined) return undefined;
  switch (field.kind) {
    case 'string':
    case 'enum': {
      if (typeof value !== 'string') return undefined;
      const t = field.widget === 'datetime' ? localToUtc(value) : value.trim();
      return t === '' ? undefined : t;
    }
    case 'integer':
    case 'number': {
      if (typeof value !== 'string' || value.trim() === '') return undefined;
      return parseNumber(value);
    }
    case 'list': {
      let items: string[];
      if (typeof value === 'string') items = splitList(value, field);
      else if (Array.isArray(value)) items = (value as unknown[]).map((v) => (typeof v === 'string' ? v.trim() : ''));
      else return undefined;
      return items.length === 0 ? undefined : items;
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return undefined;
      const obj = convertRow(field.fields ?? [], value);
      return Object.keys(obj).length === 0 ? undefined : obj;
    }
    case 'rows': {
      if (!Array.isArray(value) || value.length === 0) return undefined;
      // Every row is kept, even an empty one, so an error's index is the row's.
      return (value as Row[]).map((row) => convertRow(field.fields ?? [], row && typeof row === 'object' ? row : {}));
    }
  }
}

function convertRow(fields: readonly Field[], row: Row): Doc {
  const out: Doc = {};
  for (const f of fields) {
    const v = convert(f, row[f.name]);
    if (v !== undefined) out[f.name] = v;
  }
  return out;
}

/** The document for the node: type, envelope, body. The node fills origin, created and nonce. */
export function buildDocument(state: FormState): Doc {
  const doc: Doc = { type: state.type };
  for (const f of ENVELOPE) {
    if (f.hidden) continue;
    if (f.name === 'audience' && !needsAudience(state.env.tlp)) continue;
    const v = convert(f, state.env[f.name]);
    if (v !== undefined) doc[f.name] = v;
  }
  doc.body = convertRow(BODIES[state.type], state.bodies[state.type] ?? {});
  return doc;
}
