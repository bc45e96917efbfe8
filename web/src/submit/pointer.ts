// JSON Pointers (RFC 6901) into a record -> the form's field ids. The same
// mapping serves local errors and the node's 400 problems
// (errors[].pointer like "/title", "/body/severity", "/body/observables/0/value").
import { BODIES, ENVELOPE, fieldId, isRecordType, type Field, type RecordType } from './fields';

export function parsePointer(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  const s = pointer.startsWith('/') ? pointer.slice(1) : pointer;
  return s.split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function toPointer(path: readonly (string | number)[]): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/**
 * The id of the form field a pointer lands on: the deepest field the form has
 * an input (or group) for. "" when the pointer names nothing in the form
 * (the whole document, an unknown member).
 */
export function pointerToField(type: RecordType | string | undefined, pointer: string): string {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return '';
  let fields: readonly Field[];
  let rest: string[];
  if (tokens[0] === 'body') {
    if (!isRecordType(type)) return '';
    fields = BODIES[type];
    rest = tokens.slice(1);
  } else if (tokens[0] === 'type') {
    return 'type';
  } else {
    fields = ENVELOPE;
    rest = tokens;
  }
  const path: (string | number)[] = [];
  let deepest = '';
  while (rest.length > 0) {
    const f = fields.find((x) => x.name === rest[0]);
    if (!f) break;
    path.push(f.name);
    rest = rest.slice(1);
    deepest = fieldId(path);
    if (f.kind === 'object') {
      fields = f.fields ?? [];
      continue;
    }
    if (f.kind === 'rows') {
      if (rest.length === 0 || !/^\d+$/.test(rest[0])) break;
      path.push(Number(rest[0]));
      rest = rest.slice(1);
      deepest = fieldId(path);
      fields = f.fields ?? [];
      continue;
    }
    if (f.kind === 'list' && f.widget === 'lines' && rest.length > 0 && /^\d+$/.test(rest[0])) {
      path.push(Number(rest[0]));
      deepest = fieldId(path);
    }
    break;
  }
  return deepest;
}

/**
 * The node reports a missing member at its parent ("/body": "Missing required
 * property 'severity'."); point at the member itself when the message names it.
 */
export function refinePointer(pointer: string, message: string): string {
  const m = /required property '([^']+)'/i.exec(message);
  if (!m) return pointer;
  return pointer + toPointer([m[1]]);
}
