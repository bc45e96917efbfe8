// RFC 9162 (Certificate Transparency v2) Merkle tree hashing and inclusion
// proof verification (§2.1.3.2), with RFC 6962's hashes: leaf = SHA-256(0x00 ||
// entry), node = SHA-256(0x01 || left || right).
import { concat, equal, sha256 } from './bytes';

export async function leafHash(entry: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(new Uint8Array([0]), entry));
}

export async function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(new Uint8Array([1]), left, right));
}

/**
 * Recomputes the root from a leaf hash and its inclusion proof for a tree of
 * treeSize leaves; null when the proof cannot belong to such a tree (index out of
 * range, a hash of the wrong length, too many or too few hashes).
 * Sizes and indexes are JavaScript numbers (exact up to 2^53).
 */
export async function rootFromInclusionProof(
  index: number, treeSize: number, leaf: Uint8Array, proof: Uint8Array[],
): Promise<Uint8Array | null> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) return null;
  if (leaf.length !== 32) return null;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  const lsb = (x: number) => x % 2 === 1;
  const half = (x: number) => Math.floor(x / 2);
  for (const p of proof) {
    if (p.length !== 32) return null;
    if (sn === 0) return null;
    if (lsb(fn) || fn === sn) {
      r = await nodeHash(p, r);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return null;
  return r;
}

export async function verifyInclusion(
  index: number, treeSize: number, leaf: Uint8Array, proof: Uint8Array[], root: Uint8Array,
): Promise<boolean> {
  const r = await rootFromInclusionProof(index, treeSize, leaf, proof);
  return r !== null && equal(r, root);
}
