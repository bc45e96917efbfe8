// C2SP signed notes (https://c2sp.org/signed-note) carrying C2SP tlog-checkpoints
// (https://c2sp.org/tlog-checkpoint), and Ed25519 verifier keys.
import { concat, equal, fromBase64, sha256 } from './bytes';

export interface NoteSignature {
  name: string;
  keyId: Uint8Array; // 4 bytes
  sig: Uint8Array; // the rest (64 bytes for Ed25519; cosignatures carry a timestamp too)
  line: string;
}

export interface Note {
  text: string; // the signed text: every line up to and including the last before the blank line, each with its \n
  signatures: NoteSignature[];
}

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
  extensions: string[];
}

export interface VerifierKey {
  name: string;
  keyId: Uint8Array;
  type: number;
  publicKey: Uint8Array;
}

const SIG_PREFIX = '\u2014 '; // "— "

export function parseNote(s: string): Note {
  const split = s.lastIndexOf('\n\n');
  if (split < 0) throw new Error('note: no blank line before the signatures');
  const text = s.slice(0, split + 1);
  const sigs = s.slice(split + 2);
  if (!sigs.endsWith('\n')) throw new Error('note: signatures must end with a newline');
  if (text.includes('\r') || sigs.includes('\r')) throw new Error('note: carriage return');
  const signatures: NoteSignature[] = [];
  for (const line of sigs.slice(0, -1).split('\n')) {
    if (!line.startsWith(SIG_PREFIX)) throw new Error(`note: malformed signature line "${line}"`);
    const rest = line.slice(SIG_PREFIX.length);
    const sp = rest.indexOf(' ');
    if (sp <= 0) throw new Error('note: signature line without a name');
    const name = rest.slice(0, sp);
    let raw: Uint8Array;
    try {
      raw = fromBase64(rest.slice(sp + 1));
    } catch {
      throw new Error('note: signature is not base64');
    }
    if (raw.length < 5) throw new Error('note: signature too short');
    signatures.push({ name, keyId: raw.slice(0, 4), sig: raw.slice(4), line });
  }
  if (signatures.length === 0) throw new Error('note: no signatures');
  return { text, signatures };
}

export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new Error('checkpoint: text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new Error('checkpoint: needs origin, size and root');
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  if (!origin) throw new Error('checkpoint: empty origin');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeLine)) throw new Error('checkpoint: bad size');
  const size = Number(sizeLine);
  if (!Number.isSafeInteger(size)) throw new Error('checkpoint: size too large');
  let root: Uint8Array;
  try {
    root = fromBase64(rootLine);
  } catch {
    throw new Error('checkpoint: root is not base64');
  }
  if (root.length !== 32) throw new Error('checkpoint: root is not 32 bytes');
  if (extensions.some((e) => e === '')) throw new Error('checkpoint: empty extension line');
  return { origin, size, root, extensions };
}

/** Key id = first 4 bytes of SHA-256(name || "\n" || type || public key). */
export async function keyIdFor(name: string, type: number, publicKey: Uint8Array): Promise<Uint8Array> {
  const h = await sha256(concat(new TextEncoder().encode(name + '\n'), new Uint8Array([type]), publicKey));
  return h.slice(0, 4);
}

/** Parses "NAME+KEYIDHEX8+BASE64(0x01 || pubkey)" and checks its key id. */
export async function parseVerifierKey(s: string): Promise<VerifierKey> {
  // The base64 key may itself contain '+': split at the first two only.
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(s.trim());
  if (!m) throw new Error('verifier key: expected NAME+KEYID+KEY');
  const [, name, idHex, b64] = m;
  let raw: Uint8Array;
  try {
    raw = fromBase64(b64);
  } catch {
    throw new Error('verifier key: key is not base64');
  }
  if (raw.length !== 33 || raw[0] !== 0x01) throw new Error('verifier key: not an Ed25519 key');
  const publicKey = raw.slice(1);
  const keyId = await keyIdFor(name, raw[0], publicKey);
  const want = new Uint8Array(4);
  for (let i = 0; i < 4; i++) want[i] = parseInt(idHex.slice(2 * i, 2 * i + 2), 16);
  if (!equal(keyId, want)) throw new Error('verifier key: key id does not match the key');
  return { name, keyId, type: raw[0], publicKey };
}

export async function ed25519Verify(publicKey: Uint8Array, sig: Uint8Array, msg: Uint8Array): Promise<boolean> {
  const key = await crypto.subtle.importKey('raw', publicKey as BufferSource, { name: 'Ed25519' }, false, ['verify']);
  return crypto.subtle.verify({ name: 'Ed25519' }, key, sig as BufferSource, msg as BufferSource);
}

export type NoteVerdict = { ok: true; signature: NoteSignature } | { ok: false; reason: 'no-signature' | 'bad-signature' };

/**
 * Verifies the note's signature by this key: the line whose name and key id match
 * the key. Lines by other keys (cosignatures) are ignored.
 */
export async function verifyNote(note: Note, key: VerifierKey): Promise<NoteVerdict> {
  const mine = note.signatures.filter((s) => s.name === key.name && equal(s.keyId, key.keyId));
  if (mine.length === 0) return { ok: false, reason: 'no-signature' };
  const msg = new TextEncoder().encode(note.text);
  for (const s of mine) {
    if (s.sig.length === 64 && (await ed25519Verify(key.publicKey, s.sig, msg))) return { ok: true, signature: s };
  }
  return { ok: false, reason: 'bad-signature' };
}
