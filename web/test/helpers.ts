// RFC 6962 / RFC 9162 reference Merkle tree built with Node's crypto, for tests.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';

export function sha(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export const leaf = (entry: Uint8Array) => sha(Uint8Array.of(0), entry);
export const node = (l: Uint8Array, r: Uint8Array) => sha(Uint8Array.of(1), l, r);

function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) over leaf hashes. */
export function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return node(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

/** PATH(m, D[n]) (RFC 6962 §2.1.1). */
export function path(m: number, leaves: Uint8Array[]): Uint8Array[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  if (m < k) return [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))];
  return [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

export function entries(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => sha(new TextEncoder().encode(`record ${i}`)));
}

export function hexOf(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function b64(b: Uint8Array): string {
  return Buffer.from(b).toString('base64');
}

/** An Ed25519 key: its C2SP verifier key string, and a signer of note signature lines. */
export function makeKey(name: string) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32));
  const id = createHash('sha256')
    .update(Buffer.concat([Buffer.from(name + '\n'), Buffer.from([1]), raw]))
    .digest()
    .subarray(0, 4);
  const vkey = `${name}+${id.toString('hex')}+${b64(Uint8Array.of(1, ...raw))}`;
  const sigLine = (text: string) =>
    `\u2014 ${name} ${b64(Uint8Array.from([...id, ...sign(null, Buffer.from(text), privateKey)]))}\n`;
  return { vkey, sigLine, raw, id: new Uint8Array(id) };
}

