// The node's problem documents (RFC 9457) -> messages on the form's fields.
// errors[] carries {pointer, detail} (and {line} for JSON Lines); a problem
// without errors[] may still name pointers in its detail, one per line
// ("body: /supersedes: names a record this node does not hold").
import type { Problem } from '../lib/api';
import { refinePointer, pointerToField } from './pointer';

export interface ServerIssue {
  /** Form field id, "" when the problem names no field. */
  field: string;
  pointer: string;
  /** The node's own words. */
  detail: string;
  /** A message key to show instead of the node's words (403 on tlp). */
  key?: string;
  vars?: Record<string, string | number>;
  /** 1-based line of the submitted JSON Lines body. */
  line?: number;
}

const DETAIL_LINE = /^(?:[^\s:]+?(?::(\d+))?:\s)?(\/[^\s:]*):\s+(.+)$/;

/** Pointers named in a problem's detail text, for problems without errors[]. */
export function pointersInDetail(detail: string): { pointer: string; detail: string; line?: number }[] {
  const out: { pointer: string; detail: string; line?: number }[] = [];
  for (const raw of detail.split('\n')) {
    const m = DETAIL_LINE.exec(raw.trim());
    if (!m) continue;
    out.push({ pointer: m[2], detail: m[3], ...(m[1] ? { line: Number(m[1]) } : {}) });
  }
  return out;
}

export function problemIssues(p: Problem, type: string | undefined): ServerIssue[] {
  let items: { pointer: string; detail: string; line?: number }[];
  if (p.errors && p.errors.length > 0) {
    items = p.errors
      .filter((e) => e.pointer !== undefined)
      .map((e) => ({ pointer: refinePointer(e.pointer as string, e.detail), detail: e.detail, ...(e.line !== undefined ? { line: e.line } : {}) }));
  } else {
    items = pointersInDetail(p.detail ?? '').map((x) => ({ ...x, pointer: refinePointer(x.pointer, x.detail) }));
  }
  return items.map((x) => {
    const field = pointerToField(type, x.pointer);
    const issue: ServerIssue = { field, pointer: x.pointer, detail: x.detail };
    if (x.line !== undefined) issue.line = x.line;
    if (p.status === 403 && x.pointer === '/tlp') issue.key = 'submit.err.tlpRole';
    return issue;
  });
}
