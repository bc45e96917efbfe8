// The three checks the record page runs in the browser:
//  1. the record's bytes hash to its id (SHA-256);
//  2. the id is included in the node's log: the inclusion proof leads from
//     SHA-256(0x00 || id) to the root of the checkpoint, at the checkpoint's size;
//  3. the checkpoint is signed by the node's key (Ed25519).
import { fromHex, hex, sha256 } from './bytes';
import { leafHash, verifyInclusion } from './merkle';
import { parseCheckpoint, parseNote, parseVerifierKey, verifyNote } from './note';

export type CheckId = 'hash' | 'inclusion' | 'signature';

export interface Check {
  id: CheckId;
  ok: boolean;
  /** A message key (i18n) and its parameters, explaining the outcome. */
  msg: string;
  params?: Record<string, string | number>;
}

export interface ProofInput {
  index: number;
  tree_size: number;
  proof: string[];
  checkpoint: string;
}

export interface Verdict {
  ok: boolean;
  checks: Check[];
  origin?: string;
  size?: number;
}

export async function checkHash(bytes: Uint8Array, id: string): Promise<Check> {
  const got = hex(await sha256(bytes));
  return got === id
    ? { id: 'hash', ok: true, msg: 'proof.hash.ok' }
    : { id: 'hash', ok: false, msg: 'proof.hash.fail', params: { got: got.slice(0, 16) } };
}

export async function verifyRecord(bytes: Uint8Array, id: string, p: ProofInput, nodeKey: string): Promise<Verdict> {
  const checks: Check[] = [];
  checks.push(await checkHash(bytes, id));

  let origin: string | undefined;
  let size: number | undefined;
  // 2. inclusion
  let note: ReturnType<typeof parseNote> | null = null;
  try {
    note = parseNote(p.checkpoint);
    const cp = parseCheckpoint(note.text);
    origin = cp.origin;
    size = cp.size;
    if (cp.size !== p.tree_size) {
      checks.push({ id: 'inclusion', ok: false, msg: 'proof.inclusion.size', params: { size: p.tree_size, cp: cp.size } });
    } else {
      const leaf = await leafHash(fromHex(id));
      const ok = await verifyInclusion(p.index, p.tree_size, leaf, p.proof.map(fromHex), cp.root);
      checks.push(
        ok
          ? { id: 'inclusion', ok: true, msg: 'proof.inclusion.ok', params: { index: p.index, size: cp.size } }
          : { id: 'inclusion', ok: false, msg: 'proof.inclusion.fail' },
      );
    }
  } catch (e) {
    checks.push({ id: 'inclusion', ok: false, msg: 'proof.inclusion.malformed', params: { error: String((e as Error).message) } });
  }

  // 3. signature
  try {
    if (!note) throw new Error('no checkpoint');
    const key = await parseVerifierKey(nodeKey);
    const v = await verifyNote(note, key);
    if (v.ok) checks.push({ id: 'signature', ok: true, msg: 'proof.signature.ok', params: { key: key.name } });
    else if (v.reason === 'no-signature') checks.push({ id: 'signature', ok: false, msg: 'proof.signature.missing', params: { key: key.name } });
    else checks.push({ id: 'signature', ok: false, msg: 'proof.signature.fail', params: { key: key.name } });
  } catch (e) {
    checks.push({ id: 'signature', ok: false, msg: 'proof.signature.error', params: { error: String((e as Error).message) } });
  }
  return { ok: checks.every((c) => c.ok), checks, origin, size };
}

