// RFC 8785 (JCS) of NFC-normalised JSON, as the node computes it
// (docs/formats/records.md "Identity"). The oversight form shows the
// canonical body without its signature: the exact bytes the human signs.
import type { Json } from './build';

function str(s: string): string {
  // JSON.stringify escapes exactly what RFC 8785 asks: '"', '\', and
  // U+0000..U+001F (as \b \t \n \f \r or \u00xx); lone surrogates as \udxxx.
  return JSON.stringify(s.normalize('NFC'));
}

export function canonicalize(v: Json): string {
  if (v === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error('not a finite number');
    return JSON.stringify(v); // ECMAScript number serialisation, as RFC 8785 asks
  }
  if (typeof v === 'string') return str(v);
  if (Array.isArray(v)) return '[' + v.map(canonicalize).join(',') + ']';
  const entries = Object.entries(v).map(([k, x]) => [k.normalize('NFC'), x] as const);
  // Default sort compares UTF-16 code units, as RFC 8785 asks.
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return '{' + entries.map(([k, x]) => str(k) + ':' + canonicalize(x)).join(',') + '}';
}

/** What an oversight signature covers: the body without its signature member. */
export function oversightSigningInput(body: { [k: string]: Json }): string {
  const { signature: _s, ...rest } = body;
  return canonicalize(rest);
}
