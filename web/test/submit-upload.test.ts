// upload.ts: files of records -> documents with the line each starts on.
import { describe, expect, it } from 'vitest';
import { parseUpload, splitLines, toNdjson } from '../src/submit/upload';
import { checkUpload } from '../src/submit/UploadSection';
import { readRepo } from './submit-helpers';

const rec = (title: string) => ({ type: 'practice', tlp: 'clear', lang: 'en', title, body: { kind: 'policy', principles: ['security-safety'], description: 'd' } });
const line = (title: string) => JSON.stringify(rec(title));

describe('parseUpload', () => {
  it('JSON Lines with blank lines, CRLF and a BOM', () => {
    const text = '\uFEFF' + line('a') + '\r\n\r\n   \t\r\n' + line('b') + '\r\n';
    const p = parseUpload(text);
    expect(p.errors).toEqual([]);
    expect(p.docs.map((d) => [d.line, (d.doc as { title: string }).title])).toEqual([[1, 'a'], [4, 'b']]);
  });
  it('a bad line is reported with its own line number, the others still read', () => {
    const text = [line('a'), '', '{"type": "incident",', line('c'), '{"x":1}}'].join('\n');
    const p = parseUpload(text);
    expect(p.docs.map((d) => d.line)).toEqual([1, 4]);
    expect(p.errors.map((e) => [e.line, e.key])).toEqual([[3, 'submit.err.json'], [5, 'submit.err.json']]);
    expect(String(p.errors[0].vars?.detail)).not.toBe('');
  });
  it('one pretty-printed record', () => {
    const text = '\n\n' + JSON.stringify(rec('solo'), null, 2) + '\n';
    const p = parseUpload(text);
    expect(p.errors).toEqual([]);
    expect(p.docs).toHaveLength(1);
    expect(p.docs[0].line).toBe(3);
  });
  it('an array of records: each starts on its own line', () => {
    const text = '[\n  ' + JSON.stringify(rec('x'), null, 2).replace(/\n/g, '\n  ') + ',\n  ' + line('y') + '\n]';
    const p = parseUpload(text);
    expect(p.errors).toEqual([]);
    expect(p.docs.map((d) => [(d.doc as { title: string }).title, d.line])).toEqual([['x', 2], ['y', 15]]);
    const oneLine = parseUpload('[' + line('p') + ',' + line('q') + ']');
    expect(oneLine.docs.map((d) => d.line)).toEqual([1, 1]);
  });
  it('strings holding brackets, commas and quotes do not confuse the array scan', () => {
    const tricky = { ...rec('a, [b] {c} "d" \\'), summary: '],[' };
    const text = '[\n' + JSON.stringify(tricky) + ',\n\n' + line('z') + '\n]';
    expect(parseUpload(text).docs.map((d) => d.line)).toEqual([2, 4]);
  });
  it('a broken pretty-printed file: one error on its first line', () => {
    const p = parseUpload('\n{\n  "type": "incident",\n  "title": \n}\n');
    expect(p.docs).toEqual([]);
    expect(p.errors.map((e) => e.line)).toEqual([2]);
  });
  it('empty files', () => {
    expect(parseUpload('').errors.map((e) => e.key)).toEqual(['submit.upload.empty']);
    expect(parseUpload('\uFEFF \r\n\n').errors.map((e) => e.key)).toEqual(['submit.upload.empty']);
    expect(parseUpload('[]').errors.map((e) => e.key)).toEqual(['submit.upload.empty']);
  });
  it('splitLines numbers every physical line', () => {
    expect(splitLines('a\n\nb\r\n c')).toEqual([{ line: 1, text: 'a' }, { line: 3, text: 'b' }, { line: 4, text: ' c' }]);
  });
  it('toNdjson writes one compact document per line', () => {
    const p = parseUpload(JSON.stringify([rec('a'), rec('b')], null, 2));
    const out = toNdjson(p.docs);
    expect(out.split('\n')).toEqual([line('a'), line('b'), '']);
  });
});

describe('checkUpload: parse and validate every record', () => {
  it('the project examples are all valid for an analyst', () => {
    const r = checkUpload(readRepo('examples/records.jsonl'), 'analyst');
    expect(r.docs).toHaveLength(42);
    expect(r.errors).toEqual([]);
  });
  it('reports per line, in line order', () => {
    const bad = { ...rec('b'), tlp: 'amber' };
    const text = [line('a'), 'not json', JSON.stringify(bad), JSON.stringify({ ...rec('c'), title: '' })].join('\n');
    const r = checkUpload(text, 'contributor');
    expect(r.errors.map((e) => `${e.line} ${e.pointer ?? ''} ${e.key}`)).toEqual([
      '2  submit.err.json',
      '3 /audience submit.err.audienceRequired',
      '3 /tlp submit.err.tlpRole',
      '4 /title submit.err.required',
    ]);
  });
});
