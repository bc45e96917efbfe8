// Reading an uploaded file of records: one JSON document, a JSON array of
// documents, or JSON Lines (.jsonl / .ndjson), each with the line it starts on
// so errors can say where. Mirrors the node's own splitting
// (src/node/submitter.cc SplitInput): a UTF-8 BOM is skipped, CRLF accepted,
// blank lines ignored; if the first non-blank line is not a complete document
// the whole text is one document.
import type { Json } from './build';

export interface UploadDoc {
  /** 1-based line of the file where the document starts. */
  line: number;
  doc: Json;
}

export interface UploadError {
  line: number;
  key: string;
  vars?: Record<string, string | number>;
}

export interface Parsed {
  docs: UploadDoc[];
  errors: UploadError[];
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function tryParse(text: string): { ok: true; value: Json } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch (e) {
    return { ok: false, error: reason(e) };
  }
}

/** Lines holding something other than spaces and tabs, with their numbers. */
export function splitLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const t = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (/[^ \t]/.test(t)) out.push({ line: i + 1, text: t });
  });
  return out;
}

/** Offsets where the top-level items of a JSON array start (the text must parse as an array). */
function arrayItemOffsets(text: string): number[] {
  const out: number[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let expectItem = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') continue;
    if (depth === 1 && expectItem && ch !== ']') {
      out.push(i);
      expectItem = false;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') {
      depth++;
      if (depth === 1) expectItem = true;
    } else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 1) expectItem = true;
  }
  return out;
}

function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** One document or an array of documents spread over the whole text. */
function parseWhole(text: string, firstLine: number): Parsed {
  const r = tryParse(text);
  if (!r.ok) return { docs: [], errors: [{ line: firstLine, key: 'submit.err.json', vars: { detail: r.error } }] };
  if (Array.isArray(r.value)) {
    const offsets = arrayItemOffsets(text);
    if (r.value.length === 0) return { docs: [], errors: [{ line: firstLine, key: 'submit.upload.empty' }] };
    return { docs: r.value.map((doc, i) => ({ line: lineAt(text, offsets[i] ?? 0), doc })), errors: [] };
  }
  return { docs: [{ line: firstLine, doc: r.value }], errors: [] };
}

export function parseUpload(input: string): Parsed {
  const text = stripBom(input);
  const lines = splitLines(text);
  if (lines.length === 0) return { docs: [], errors: [{ line: 1, key: 'submit.upload.empty' }] };
  const first = tryParse(lines[0].text);
  // A whole-file document or array: the first line alone is not complete, or
  // it is an array (an array is never one record).
  if (!first.ok && lines.length > 1) return parseWhole(text, lines[0].line);
  if (lines.length === 1 && first.ok && Array.isArray(first.value)) return parseWhole(text, lines[0].line);
  const out: Parsed = { docs: [], errors: [] };
  for (const l of lines) {
    const r = l === lines[0] ? first : tryParse(l.text);
    if (r.ok) out.docs.push({ line: l.line, doc: r.value });
    else out.errors.push({ line: l.line, key: 'submit.err.json', vars: { detail: r.error } });
  }
  return out;
}

/** The body of the POST: one document per line. */
export function toNdjson(docs: readonly UploadDoc[]): string {
  return docs.map((d) => JSON.stringify(d.doc)).join('\n') + '\n';
}
