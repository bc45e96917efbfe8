// build.ts: form state -> the document sent. Trims, omits empty optional
// fields, converts numbers, splits lists, keeps rows' positions, converts the
// local decision time to UTC, never sends node-filled members.
import { describe, expect, it } from 'vitest';
import { buildDocument, convert, localToUtc, parseNumber, splitList } from '../src/submit/build';
import { canonicalize, oversightSigningInput } from '../src/submit/canonical';
import { BODIES, ENVELOPE, type Field } from '../src/submit/fields';
import { initialState } from '../src/submit/state';
import { HEX, formState, validStates } from './submit-helpers';

const field = (type: keyof typeof BODIES, name: string) => BODIES[type].find((f) => f.name === name) as Field;
const env = (name: string) => ENVELOPE.find((f) => f.name === name) as Field;

describe('buildDocument', () => {
  it('the minimal incident: trimmed, empty optional fields left out', () => {
    const doc = buildDocument(validStates()[0].state);
    expect(doc).toEqual({
      type: 'incident',
      title: 'Deepfake video of a minister sells a fake investment',
      tlp: 'clear',
      lang: 'en',
      countries: ['TH'],
      body: {
        occurred: '2026-11-20',
        domain: 'financial',
        harm_categories: ['misinformation', 'malicious-use'],
        severity: 'high',
        description: 'A video ad used an AI-made face and voice of a minister to push an investment site.\n\nMany people paid.',
      },
    });
    for (const k of ['origin', 'created', 'nonce', 'author', 'summary', 'audience', 'supersedes', 'related']) expect(doc).not.toHaveProperty(k);
  });
  it('numbers, nested groups, rows and id lists', () => {
    const doc = buildDocument(validStates()[1].state);
    const body = doc.body as Record<string, unknown>;
    expect(body.location).toEqual({ lat: 13.75, lon: 100.5, place: 'Bangkok' });
    expect(body.affected).toBe(1240);
    expect(body.losses).toEqual({ amount: 2500000.5, currency: 'THB' });
    expect(body.observables).toEqual([
      { kind: 'domain', value: 'invest-asean-profit.example' },
      { kind: 'phone', value: '+66 2 000 0419', note: 'call centre' },
    ]);
    expect(doc.related).toEqual([HEX('a'), HEX('b')]);
  });
  it('an untouched empty form sends only what was chosen by default', () => {
    const doc = buildDocument(initialState('th'));
    expect(doc).toEqual({ type: 'incident', tlp: 'clear', lang: 'th', body: {} });
  });
  it('assessment: unanswered principles and empty evidence lists are left out', () => {
    const doc = buildDocument(validStates().find((v) => v.state.type === 'assessment')!.state);
    const answers = (doc.body as Record<string, Record<string, unknown>>).answers;
    expect(Object.keys(answers)).toEqual(['transparency-explainability', 'fairness-equity']);
    expect(answers['fairness-equity']).toEqual({ rating: 'not-applicable', answer: 'Tidak ada keputusan tentang orang.' });
  });
  it('a half-empty row stays in place, so errors keep their index', () => {
    const s = formState('incident', {}, { observables: [{ kind: '', value: '', note: '' }, { kind: 'ip', value: '192.0.2.1', note: '' }] });
    expect((buildDocument(s).body as Record<string, unknown>).observables).toEqual([{}, { kind: 'ip', value: '192.0.2.1' }]);
  });
  it('switching type keeps the other type\'s typing out of the document', () => {
    const s = validStates()[0].state;
    const asPractice = { ...s, type: 'practice' as const, bodies: { ...s.bodies, practice: { kind: 'policy' } } };
    expect(buildDocument(asPractice).body).toEqual({ kind: 'policy' });
    expect(buildDocument(asPractice).type).toBe('practice');
  });
});

describe('conversions', () => {
  it('parseNumber keeps what is not a plain number as typed', () => {
    expect(parseNumber(' 12 ')).toBe(12);
    expect(parseNumber('-0.5')).toBe(-0.5);
    expect(parseNumber('.5')).toBe(0.5);
    expect(parseNumber('1e3')).toBe(1000);
    expect(parseNumber('1,5')).toBe('1,5');
    expect(parseNumber('0x10')).toBe('0x10');
    expect(parseNumber('Infinity')).toBe('Infinity');
    expect(parseNumber('1e999')).toBe('1e999');
  });
  it('splitList: ids split on spaces too, free words only on commas and new lines', () => {
    expect(splitList(' a, b  c;d\n', env('related'))).toEqual(['a', 'b', 'c', 'd']);
    expect(splitList('public health, law enforcement,, ', field('practice', 'sectors'))).toEqual(['public health', 'law enforcement']);
  });
  it('convert: enums and dates pass, empty values vanish', () => {
    expect(convert(field('incident', 'severity'), '')).toBeUndefined();
    expect(convert(field('incident', 'harm_categories'), [])).toBeUndefined();
    expect(convert(field('incident', 'location'), { lat: ' ', lon: '', place: '' })).toBeUndefined();
    expect(convert(field('incident', 'systems'), [])).toBeUndefined();
    expect(convert(field('incident', 'occurred'), '2026-01-02')).toBe('2026-01-02');
  });
  it('localToUtc reads the viewer\'s time zone and writes RFC 3339 UTC', () => {
    const local = '2026-10-02T11:15';
    const expected = new Date(2026, 9, 2, 11, 15).toISOString().replace('.000Z', 'Z');
    expect(localToUtc(local)).toBe(expected);
    expect(localToUtc('2026-10-02T11:15:30')).toMatch(/:30Z$/);
    expect(localToUtc('2026-02-30T10:00')).toBe('2026-02-30T10:00');
    expect(localToUtc('tomorrow')).toBe('tomorrow');
  });
});

describe('canonical form (RFC 8785) for the oversight signature', () => {
  // docs/formats/records.md prints this example with "tlp" before "title";
  // UTF-16 order puts "title" first ('i' < 'l'), as the node's canonicaliser does.
  it('orders the example of docs/formats/records.md by UTF-16 code units', () => {
    const doc = {
      type: 'practice', tlp: 'green', lang: 'ms', title: 'Red-teaming dalam Bahasa Melayu',
      body: { kind: 'best-practice', principles: ['security-safety'], description: 'Uji model dalam bahasa tempatan.' },
      origin: 'my-mcmc', created: '2026-11-23T09:45:22.000Z', nonce: '00112233445566778899aabbccddeeff',
    };
    expect(canonicalize(doc)).toBe(
      '{"body":{"description":"Uji model dalam bahasa tempatan.","kind":"best-practice","principles":["security-safety"]},"created":"2026-11-23T09:45:22.000Z","lang":"ms","nonce":"00112233445566778899aabbccddeeff","origin":"my-mcmc","title":"Red-teaming dalam Bahasa Melayu","tlp":"green","type":"practice"}',
    );
  });
  it('numbers as ECMAScript prints them, NFC strings, UTF-16 order, escapes', () => {
    expect(canonicalize([4.5, 1e30, 0.000001, 1e-7, -0])).toBe('[4.5,1e+30,0.000001,1e-7,0]');
    expect(canonicalize({ 'e\u0301': 'A\u030a' })).toBe('{"é":"Å"}');
    expect(canonicalize({ '\u20ac': 1, '\ud83d\ude00': 2, a: 3 })).toBe('{"a":3,"€":1,"😀":2}');
    expect(canonicalize('\u0001\n"\\/')).toBe('"\\u0001\\n\\"\\\\/"');
  });
  it('the signing input leaves the signature out', () => {
    expect(oversightSigningInput({ decision: 'approve', signature: { key: 'k', sig: 's' } })).toBe('{"decision":"approve"}');
  });
});
