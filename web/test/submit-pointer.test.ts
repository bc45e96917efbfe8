// Pointers (local or from the node's 400/403 problems) -> form field ids.
import { describe, expect, it } from 'vitest';
import { parsePointer, pointerToField, refinePointer, toPointer } from '../src/submit/pointer';
import { pointersInDetail, problemIssues } from '../src/submit/problem';

describe('pointerToField', () => {
  it('envelope members are their own fields; list items map to the list', () => {
    expect(pointerToField('incident', '/title')).toBe('title');
    expect(pointerToField('incident', '/tlp')).toBe('tlp');
    expect(pointerToField('incident', '/countries/3')).toBe('countries');
    expect(pointerToField('incident', '/audience/0')).toBe('audience');
    expect(pointerToField('incident', '/related/1')).toBe('related');
    expect(pointerToField('incident', '/type')).toBe('type');
  });
  it('body fields by name, nested groups and rows by path', () => {
    expect(pointerToField('incident', '/body/severity')).toBe('severity');
    expect(pointerToField('incident', '/body/harm_categories/1')).toBe('harm_categories');
    expect(pointerToField('incident', '/body/observables/0/value')).toBe('observables-0-value');
    expect(pointerToField('incident', '/body/observables/2')).toBe('observables-2');
    expect(pointerToField('incident', '/body/observables')).toBe('observables');
    expect(pointerToField('incident', '/body/location/lat')).toBe('location-lat');
    expect(pointerToField('assessment', '/body/answers/fairness-equity/evidence/1')).toBe('answers-fairness-equity-evidence-1');
    expect(pointerToField('system', '/body/models/0')).toBe('models-0');
    expect(pointerToField('oversight', '/body/signature/sig')).toBe('signature-sig');
  });
  it('unknown members fall back to the nearest field, or to the form', () => {
    expect(pointerToField('incident', '/body/location/alt')).toBe('location');
    expect(pointerToField('incident', '/body/mood')).toBe('');
    expect(pointerToField('incident', '')).toBe('');
    expect(pointerToField('incident', '/body')).toBe('');
    expect(pointerToField('nonsense', '/body/severity')).toBe('');
    expect(pointerToField(undefined, '/title')).toBe('title');
  });
  it('escaped tokens', () => {
    expect(parsePointer('/a~1b/c~0d')).toEqual(['a/b', 'c~d']);
    expect(toPointer(['a/b', 'c~d', 0])).toBe('/a~1b/c~0d/0');
  });
  it('a missing member named in the message moves the pointer onto it', () => {
    expect(refinePointer('/body', "Missing required property 'severity'.")).toBe('/body/severity');
    expect(refinePointer('/body/location', "Missing required property 'lat'.")).toBe('/body/location/lat');
    expect(refinePointer('/title', 'String is too long')).toBe('/title');
  });
});

describe('problemIssues: the node\'s problems on the form', () => {
  it('400 with errors[]', () => {
    const issues = problemIssues(
      {
        title: 'Invalid Record',
        status: 400,
        errors: [
          { pointer: '/body/severity', detail: 'must be one of: low, moderate, high, critical' },
          { pointer: '/body', detail: "Missing required property 'description'." },
          { pointer: '', detail: 'record is too large' },
        ],
      },
      'incident',
    );
    expect(issues.map((i) => [i.field, i.detail])).toEqual([
      ['severity', 'must be one of: low, moderate, high, critical'],
      ['description', "Missing required property 'description'."],
      ['', 'record is too large'],
    ]);
  });
  it('403 on tlp says so in the interface language', () => {
    const [i] = problemIssues({ title: 'Forbidden', status: 403, errors: [{ pointer: '/tlp', detail: 'contributors may submit clear or green' }] }, 'incident');
    expect(i).toMatchObject({ field: 'tlp', key: 'submit.err.tlpRole' });
  });
  it('400 without errors[]: pointers read from the detail (supersedes)', () => {
    const detail = 'body: /supersedes: names a record of origin "b"; a record may only supersede its own origin\'s records\nnothing was stored';
    const issues = problemIssues({ title: 'Invalid Record', status: 400, detail }, 'incident');
    expect(issues.map((i) => [i.field, i.detail])).toEqual([['supersedes', 'names a record of origin "b"; a record may only supersede its own origin\'s records']]);
  });
  it('JSON Lines: line numbers kept', () => {
    expect(pointersInDetail('body:3: /supersedes: names a record this node does not hold')).toEqual([
      { pointer: '/supersedes', detail: 'names a record this node does not hold', line: 3 },
    ]);
    const issues = problemIssues({ title: 'Invalid Record', status: 400, errors: [{ pointer: '/title', detail: 'x', line: 7 }] }, undefined);
    expect(issues[0]).toMatchObject({ line: 7, field: 'title' });
  });
});
