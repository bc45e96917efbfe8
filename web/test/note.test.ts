import { describe, expect, it } from 'vitest';
import { keyIdFor, parseCheckpoint, parseNote, parseVerifierKey, verifyNote } from '../src/verify/note';
import { b64, makeKey } from './helpers';

const ROOT = b64(new Uint8Array(32).fill(3));
const TEXT = `th-aisi\n42\n${ROOT}\n`;

describe('checkpoint notes', () => {
  it('parses the text, size, root and signature lines', () => {
    const k = makeKey('th-aisi');
    const note = parseNote(TEXT + '\n' + k.sigLine(TEXT));
    expect(note.text).toBe(TEXT);
    expect(note.signatures).toHaveLength(1);
    expect(note.signatures[0].name).toBe('th-aisi');
    expect(note.signatures[0].keyId).toEqual(k.id);
    expect(note.signatures[0].sig).toHaveLength(64);
    const cp = parseCheckpoint(note.text);
    expect(cp).toMatchObject({ origin: 'th-aisi', size: 42, extensions: [] });
    expect(cp.root).toEqual(new Uint8Array(32).fill(3));
  });

  it('rejects malformed notes and checkpoints', () => {
    const k = makeKey('n');
    expect(() => parseNote(TEXT)).toThrow();
    expect(() => parseNote(TEXT + '\n')).toThrow();
    expect(() => parseNote(TEXT + '\n- n AAAA\n')).toThrow();
    expect(() => parseNote(TEXT + '\n' + k.sigLine(TEXT).slice(0, -1))).toThrow();
    expect(() => parseCheckpoint('a\n042\n' + ROOT + '\n')).toThrow(/size/);
    expect(() => parseCheckpoint('a\n42\nAAAA\n')).toThrow(/32 bytes/);
    expect(() => parseCheckpoint('a\n42\n')).toThrow();
    expect(() => parseCheckpoint('a\n99999999999999999999\n' + ROOT + '\n')).toThrow();
  });

  it('verifies the node signature with WebCrypto Ed25519; tampering fails', async () => {
    const k = makeKey('th-aisi');
    const key = await parseVerifierKey(k.vkey);
    const good = parseNote(TEXT + '\n' + k.sigLine(TEXT));
    expect(await verifyNote(good, key)).toMatchObject({ ok: true });

    const tampered = parseNote(TEXT.replace('42', '43') + '\n' + k.sigLine(TEXT));
    expect(await verifyNote(tampered, key)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('ignores cosignatures by other keys, and fails when only they sign', async () => {
    const k = makeKey('th-aisi');
    const w = makeKey('witness.example');
    const key = await parseVerifierKey(k.vkey);
    const both = parseNote(TEXT + '\n' + k.sigLine(TEXT) + w.sigLine('something else entirely'));
    expect(await verifyNote(both, key)).toMatchObject({ ok: true });
    const onlyOther = parseNote(TEXT + '\n' + w.sigLine(TEXT));
    expect(await verifyNote(onlyOther, key)).toEqual({ ok: false, reason: 'no-signature' });
    // same name, other key: its key id differs, so it is not ours
    const impostor = makeKey('th-aisi');
    expect(await verifyNote(parseNote(TEXT + '\n' + impostor.sigLine(TEXT)), key)).toEqual({ ok: false, reason: 'no-signature' });
  });
});

describe('verifier keys', () => {
  it('parses NAME+KEYID+KEY and checks the key id', async () => {
    const k = makeKey('my-node.example');
    const key = await parseVerifierKey(k.vkey);
    expect(key.name).toBe('my-node.example');
    expect(key.publicKey).toEqual(k.raw);
    expect(key.keyId).toEqual(await keyIdFor('my-node.example', 1, k.raw));
  });

  it("parses keys whose base64 holds '+' (split at the first two '+' only)", async () => {
    let k = makeKey('n');
    // Half of all keys have a '+' in their base64; draw until one does.
    for (let i = 0; i < 200 && k.vkey.split('+').length <= 3; i++) k = makeKey('n');
    expect(k.vkey.split('+').length).toBeGreaterThan(3);
    expect((await parseVerifierKey(k.vkey)).publicKey).toEqual(k.raw);
  });

  it('rejects wrong key ids, types and shapes', async () => {
    const k = makeKey('n');
    const [, name, id, key] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(k.vkey)!; // the key's base64 may hold '+'
    const otherId = ((parseInt(id, 16) ^ 1) >>> 0).toString(16).padStart(8, '0');
    await expect(parseVerifierKey(`${name}+${otherId}+${key}`)).rejects.toThrow(/key id/);
    await expect(parseVerifierKey(`${name}+${id}`)).rejects.toThrow();
    await expect(parseVerifierKey(`${name}+${id}+${b64(Uint8Array.of(2, ...k.raw))}`)).rejects.toThrow(/Ed25519/);
    await expect(parseVerifierKey(`other+${id}+${key}`)).rejects.toThrow(/key id/);
  });
});
