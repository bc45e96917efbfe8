import { describe, expect, it } from 'vitest';
import { leafHash, nodeHash, rootFromInclusionProof, verifyInclusion } from '../src/verify/merkle';
import { entries, leaf, mth, node, path } from './helpers';

describe('merkle hashing', () => {
  it('matches RFC 6962 leaf and node hashes', async () => {
    const e = entries(2);
    expect(await leafHash(e[0])).toEqual(leaf(e[0]));
    expect(await nodeHash(e[0], e[1])).toEqual(node(e[0], e[1]));
  });
});

describe('inclusion proofs (RFC 9162 §2.1.3.2)', () => {
  it('verifies every index of every tree of size 1..40', async () => {
    const all = entries(40).map(leaf);
    for (let n = 1; n <= 40; n++) {
      const leaves = all.slice(0, n);
      const root = mth(leaves);
      for (let i = 0; i < n; i++) {
        const p = path(i, leaves);
        expect(await verifyInclusion(i, n, leaves[i], p, root), `size ${n} index ${i}`).toBe(true);
      }
    }
  });

  it('rejects tampered proofs, wrong leaves, indexes and sizes', async () => {
    const leaves = entries(13).map(leaf);
    const root = mth(leaves);
    for (let i = 0; i < 13; i++) {
      const p = path(i, leaves);
      // each proof hash flipped
      for (let j = 0; j < p.length; j++) {
        const bad = p.map((x) => x.slice());
        bad[j][0] ^= 1;
        expect(await verifyInclusion(i, 13, leaves[i], bad, root)).toBe(false);
      }
      expect(await verifyInclusion(i, 13, leaves[(i + 1) % 13], p, root)).toBe(false); // another leaf
      expect(await verifyInclusion((i + 1) % 13, 13, leaves[i], p, root)).toBe(false); // another index
      expect(await verifyInclusion(i, 13, leaves[i], [...p, root], root)).toBe(false); // too long
      if (p.length) expect(await verifyInclusion(i, 13, leaves[i], p.slice(0, -1), root)).toBe(false); // too short
    }
  });

  it('rejects a proof given for another tree shape', async () => {
    // The proof's length and the path's shape depend on the size; where they do not
    // (a left-side leaf has the same path in trees of 9..16), the size is pinned by
    // the signed checkpoint, which verifyRecord checks (proof.test.ts).
    const leaves = entries(13).map(leaf);
    const root = mth(leaves);
    const p = path(12, leaves);
    expect(await verifyInclusion(12, 13, leaves[12], p, root)).toBe(true);
    expect(await verifyInclusion(12, 14, leaves[12], p, root)).toBe(false);
    expect(await verifyInclusion(12, 12, leaves[12], p, root)).toBe(false);
    expect(await verifyInclusion(12, 25, leaves[12], p, root)).toBe(false);
    const p5 = path(5, leaves);
    expect(await verifyInclusion(5, 4, leaves[5], p5, root)).toBe(false);
    expect(await verifyInclusion(5, 7, leaves[5], p5, root)).toBe(false);
  });

  it('rejects out-of-range indexes and malformed hashes', async () => {
    const leaves = entries(4).map(leaf);
    const root = mth(leaves);
    expect(await rootFromInclusionProof(4, 4, leaves[0], path(0, leaves))).toBeNull();
    expect(await rootFromInclusionProof(-1, 4, leaves[0], path(0, leaves))).toBeNull();
    expect(await rootFromInclusionProof(0, 0, leaves[0], [])).toBeNull();
    expect(await rootFromInclusionProof(0, 4, leaves[0], [new Uint8Array(31), ...path(0, leaves).slice(1)])).toBeNull();
    expect(await verifyInclusion(0, 4, leaves[0], path(0, leaves), root)).toBe(true);
    // a single-leaf tree: the root is the leaf, the proof empty
    expect(await verifyInclusion(0, 1, leaves[0], [], leaves[0])).toBe(true);
    expect(await verifyInclusion(0, 1, leaves[0], [leaves[1]], leaves[0])).toBe(false);
  });

  it('handles sizes beyond 2^32 without 32-bit overflow', async () => {
    // A tree of 2^33 + 1 leaves: index 2^33 is the last leaf; its proof is the root of the left 2^33 subtree.
    const left = new Uint8Array(32).fill(7);
    const l = leaf(new Uint8Array(32).fill(9));
    const size = 2 ** 33 + 1;
    const root = node(left, l);
    expect(await verifyInclusion(2 ** 33, size, l, [left], root)).toBe(true);
    expect(await verifyInclusion(2 ** 32, size, l, [left], root)).toBe(false);
  });
});
