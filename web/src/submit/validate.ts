// Validation of a record document as the node does it (the schemas plus the
// checks of src/records/record.cc), with error messages as locale keys.
// validateForm checks what the form would send; validateDocument checks any
// document (the upload uses it per line).
import { buildDocument, needsAudience, type Json } from './build';
import { COUNTRY_CODES } from './countries';
import { BODIES, CONTRIBUTOR_TLP, ENVELOPE, RECORD_TYPES, isRecordType, type Field } from './fields';
import { pointerToField, toPointer } from './pointer';
import type { FormState } from './state';

export interface Issue {
  /** JSON Pointer into the document. */
  pointer: string;
  /** The form field id ("title", "severity", "observables-0-value"); "" for the document as a whole. */
  field: string;
  /** Message key in the submit locales. */
  key: string;
  vars?: Record<string, string | number>;
}

export type Role = 'public' | 'contributor' | 'analyst' | 'admin';

export interface ValidateOptions {
  /** Contributors (and the public) may send TLP:CLEAR and TLP:GREEN only. */
  role?: Role;
  /** A required group left empty is reported at its required members (the form's inputs), not at the group. */
  expandGroups?: boolean;
}

type Path = (string | number)[];

export function isRealDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (!m) return false;
  const y = +m[1];
  const mo = +m[2];
  const d = +m[3];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[mo - 1];
}

/** RFC 3339 UTC as the node accepts it: a real date, hours 0-23, minutes and seconds 0-59, "Z". */
export function isRealTimestamp(s: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/.exec(s);
  return !!m && isRealDate(m[1]) && +m[2] <= 23 && +m[3] <= 59 && +m[4] <= 59;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

const regexCache = new Map<string, RegExp>();
function matches(pattern: string, s: string): boolean {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    regexCache.set(pattern, re);
  }
  return re.test(s);
}

function isObject(v: unknown): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Checker {
  issues: Issue[] = [];
  constructor(
    private type: string | undefined,
    private expandGroups = false,
  ) {}

  add(path: Path, key: string, vars?: Record<string, string | number>): void {
    const pointer = toPointer(path);
    this.issues.push({ pointer, field: pointerToField(this.type, pointer), key, ...(vars ? { vars } : {}) });
  }

  missing(path: Path, f: Field): void {
    if (f.kind === 'enum') this.add(path, 'submit.err.choose');
    else if (f.kind === 'list' && f.item?.kind === 'enum') this.add(path, 'submit.err.chooseSome');
    else if (f.kind === 'list' && (f.widget === 'countries' || f.item?.check === 'country')) this.add(path, 'submit.err.chooseSome');
    else if (f.kind === 'object' && f.minProperties) this.add(path, 'submit.err.minProperties', { min: f.minProperties });
    else if (f.kind === 'object' && this.expandGroups && (f.fields ?? []).some((m) => m.required)) {
      for (const m of f.fields ?? []) if (m.required) this.missing([...path, m.name], m);
    }
    else if (f.kind === 'rows' || f.kind === 'list') this.add(path, 'submit.err.minItems', { min: f.minItems ?? 1 });
    else this.add(path, 'submit.err.required');
  }

  members(path: Path, fields: readonly Field[], obj: { [k: string]: Json }, filledOk: boolean): void {
    for (const f of fields) {
      const v = obj[f.name];
      if (v === undefined) {
        if (f.required && !(filledOk && f.filled)) this.missing([...path, f.name], f);
        continue;
      }
      this.value([...path, f.name], f, v);
    }
    for (const name of Object.keys(obj)) {
      if (!fields.some((f) => f.name === name)) this.add([...path, name], 'submit.err.unknownMember', { name });
    }
  }

  value(path: Path, f: Field, v: Json): void {
    switch (f.kind) {
      case 'string':
        return this.string(path, f, v);
      case 'enum':
        if (typeof v !== 'string' || !(f.enum ?? []).includes(v)) {
          this.add(path, 'submit.err.enum', { values: (f.enum ?? []).join(', ') });
        }
        return;
      case 'integer':
      case 'number': {
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          this.add(path, f.kind === 'integer' ? 'submit.err.integer' : 'submit.err.number');
          return;
        }
        if (f.kind === 'integer' && !Number.isInteger(v)) {
          this.add(path, 'submit.err.integer');
          return;
        }
        if (Math.abs(v) > Number.MAX_SAFE_INTEGER && Number.isInteger(v)) {
          this.add(path, 'submit.err.tooBig');
          return;
        }
        const lo = f.minimum;
        const hi = f.maximum;
        if ((lo !== undefined && v < lo) || (hi !== undefined && v > hi)) {
          if (lo !== undefined && hi !== undefined) this.add(path, 'submit.err.range', { min: lo, max: hi });
          else if (lo !== undefined) this.add(path, 'submit.err.minimum', { min: lo });
          else this.add(path, 'submit.err.maximum', { max: hi as number });
        }
        return;
      }
      case 'list':
      case 'rows': {
        if (!Array.isArray(v)) {
          this.add(path, 'submit.err.notList');
          return;
        }
        if (f.minItems !== undefined && v.length < f.minItems) this.missing(path, f);
        if (f.maxItems !== undefined && v.length > f.maxItems) this.add(path, 'submit.err.maxItems', { max: f.maxItems, n: v.length });
        if (f.uniqueItems) {
          const seen = new Set<string>();
          const dup = v.map((x) => JSON.stringify(x)).find((k) => (seen.has(k) ? true : (seen.add(k), false)));
          if (dup !== undefined) this.add(path, 'submit.err.unique', { value: typeof JSON.parse(dup) === 'string' ? JSON.parse(dup) : dup });
        }
        v.forEach((item, i) => {
          if (f.kind === 'rows') {
            if (!isObject(item)) this.add([...path, i], 'submit.err.notObject');
            else this.members([...path, i], f.fields ?? [], item, false);
          } else if (f.item) {
            this.value([...path, i], f.item, item);
          }
        });
        return;
      }
      case 'object': {
        if (!isObject(v)) {
          this.add(path, 'submit.err.notObject');
          return;
        }
        if (f.minProperties !== undefined && Object.keys(v).length < f.minProperties) {
          this.add(path, 'submit.err.minProperties', { min: f.minProperties });
        }
        this.members(path, f.fields ?? [], v, false);
        return;
      }
    }
  }

  string(path: Path, f: Field, v: Json): void {
    if (typeof v !== 'string') {
      this.add(path, 'submit.err.notText');
      return;
    }
    const n = codePoints(v);
    if (f.minLength !== undefined && n < f.minLength) {
      this.add(path, 'submit.err.required');
      return;
    }
    if (f.maxLength !== undefined && n > f.maxLength) {
      this.add(path, 'submit.err.maxLength', { max: f.maxLength, n });
      return;
    }
    if (f.pattern !== undefined && !matches(f.pattern, v)) {
      this.add(path, f.patternMessage ?? 'submit.err.pattern', { value: v });
      return;
    }
    switch (f.check) {
      case 'date':
        if (!isRealDate(v)) this.add(path, 'submit.err.date', { value: v });
        break;
      case 'date-or-time':
        if (v.length === 10 ? !isRealDate(v) : !isRealTimestamp(v)) this.add(path, 'submit.err.dateOrTime', { value: v });
        break;
      case 'timestamp':
        if (!isRealTimestamp(v)) this.add(path, 'submit.err.timestamp', { value: v });
        break;
      case 'country':
        if (!COUNTRY_CODES.has(v)) this.add(path, 'submit.err.country', { value: v });
        break;
    }
  }
}

/** Every problem the node would find in `doc` (plus the role's TLP limit), in document order. */
export function validateDocument(doc: unknown, opts: ValidateOptions = {}): Issue[] {
  if (!isObject(doc)) {
    const c = new Checker(undefined);
    c.add([], 'submit.err.notRecord');
    return c.issues;
  }
  const type = doc.type;
  const c = new Checker(typeof type === 'string' ? type : undefined, opts.expandGroups);
  if (type === undefined) c.add(['type'], 'submit.err.typeMissing', { values: RECORD_TYPES.join(', ') });
  else if (!isRecordType(type)) c.add(['type'], 'submit.err.typeUnknown', { values: RECORD_TYPES.join(', ') });

  const { type: _t, body, ...envelope } = doc;
  c.members([], ENVELOPE, envelope, true);

  // TLP and audience (src/records/record.cc CheckTlp).
  const tlp = doc.tlp;
  if (typeof tlp === 'string' && c.issues.every((i) => i.pointer !== '/tlp')) {
    const has = doc.audience !== undefined;
    if (needsAudience(tlp)) {
      if (!has) c.add(['audience'], 'submit.err.audienceRequired');
    } else if (has) {
      c.add(['audience'], 'submit.err.audienceForbidden');
    }
    if ((opts.role === 'contributor' || opts.role === 'public') && !(CONTRIBUTOR_TLP as readonly string[]).includes(tlp)) {
      c.add(['tlp'], 'submit.err.tlpRole');
    }
  }

  if (body === undefined) c.add(['body'], 'submit.err.required');
  else if (!isObject(body)) c.add(['body'], 'submit.err.notObject');
  else if (isRecordType(type)) c.members(['body'], BODIES[type], body, false);
  return c.issues;
}

/** The problems of what the form would send, each tied to its field. */
export function validateForm(state: FormState, opts: ValidateOptions = {}): Issue[] {
  return validateDocument(buildDocument(state), { expandGroups: true, ...opts });
}

/** Only the issues of one field (and the fields inside it), for checking on blur. */
export function issuesFor(issues: readonly Issue[], field: string): Issue[] {
  return issues.filter((i) => i.field === field || i.field.startsWith(field + '-'));
}
