import { describe, expect, it } from 'vitest';
import { verifyRecord } from '../src/verify/proof';
import { b64, hexOf, leaf, makeKey, mth, path, sha } from './helpers';

function fixture(n: number, index: number) {
  const recs = Array.from({ length: n }, (_, i) => new TextEncoder().encode(`{"title":"record ${i}","type":"incident"}`));
  const ids = recs.map((r) => sha(r));
  const leaves = ids.map(leaf);
  const root = mth(leaves);
  const k = makeKey('sg-node');
  const text = `sg-node\n${n}\n${b64(root)}\n`;
  const checkpoint = text + '\n' + k.sigLine(text);
  return {
    bytes: recs[index],
    id: hexOf(ids[index]),
    proof: { index, tree_size: n, proof: path(index, leaves).map(hexOf), checkpoint },
    key: k.vkey,
    k,
    text,
  };
}

describe('verifyRecord: the record page checks', () => {
  it('verifies a genuine record', async () => {
    const f = fixture(11, 6);
    const v = await verifyRecord(f.bytes, f.id, f.proof, f.key);
    expect(v.ok).toBe(true);
    expect(v.origin).toBe('sg-node');
    expect(v.size).toBe(11);
    expect(v.checks.map((c) => [c.id, c.ok])).toEqual([
      ['hash', true],
      ['inclusion', true],
      ['signature', true],
    ]);
  });

  it('fails the hash check for altered bytes', async () => {
    const f = fixture(5, 2);
    const bytes = f.bytes.slice();
    bytes[3] ^= 0x20;
    const v = await verifyRecord(bytes, f.id, f.proof, f.key);
    expect(v.ok).toBe(false);
    expect(v.checks.find((c) => !c.ok)?.id).toBe('hash');
  });

  it('fails inclusion for a wrong proof or a size other than the checkpoint', async () => {
    const f = fixture(9, 4);
    const bad = { ...f.proof, proof: [...f.proof.proof].reverse() };
    expect((await verifyRecord(f.bytes, f.id, bad, f.key)).checks[1]).toMatchObject({ id: 'inclusion', ok: false });
    const size = { ...f.proof, tree_size: 10 };
    expect((await verifyRecord(f.bytes, f.id, size, f.key)).checks[1]).toMatchObject({ ok: false, msg: 'proof.inclusion.size' });
  });

  it('fails the signature check for another key or an unsigned root', async () => {
    const f = fixture(3, 0);
    const other = makeKey('sg-node');
    expect((await verifyRecord(f.bytes, f.id, f.proof, other.vkey)).checks[2]).toMatchObject({ ok: false, msg: 'proof.signature.missing' });
    // a note whose signature line is genuine but for other text
    const forged = f.text + '\n' + f.k.sigLine(f.text.replace('\n3\n', '\n4\n'));
    const v = await verifyRecord(f.bytes, f.id, { ...f.proof, checkpoint: forged }, f.key);
    expect(v.checks[1].ok).toBe(true);
    expect(v.checks[2]).toMatchObject({ ok: false, msg: 'proof.signature.fail' });
  });

  it('reports a malformed checkpoint', async () => {
    const f = fixture(3, 1);
    const v = await verifyRecord(f.bytes, f.id, { ...f.proof, checkpoint: 'garbage' }, f.key);
    expect(v.ok).toBe(false);
    expect(v.checks[1].msg).toBe('proof.inclusion.malformed');
  });
});
