// The local validator agrees with the node: the project's 42 example records
// (all accepted by `aisafe submit`) pass, complete form states pass, and each
// kind of mistake is reported against the right field with the right message.
import { describe, expect, it } from 'vitest';
import { buildDocument } from '../src/submit/build';
import { RECORD_TYPES, type RecordType } from '../src/submit/fields';
import { setAt, type FormState, type Row, type Value } from '../src/submit/state';
import { isRealDate, isRealTimestamp, validateDocument, validateForm, issuesFor } from '../src/submit/validate';
import { HEX, formState, readRepo, validStates } from './submit-helpers';

const examples = readRepo('examples/records.jsonl')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Record<string, unknown>);

function withBody(s: FormState, path: (string | number)[], v: Value): FormState {
  return { ...s, bodies: { ...s.bodies, [s.type]: setAt(s.bodies[s.type] as Row, path, v) } };
}
function withEnv(s: FormState, path: (string | number)[], v: Value): FormState {
  return { ...s, env: setAt(s.env, path, v) };
}
const fields = (s: FormState, role?: 'contributor' | 'analyst') => validateForm(s, role ? { role } : {}).map((i) => `${i.field} ${i.key}`);
const valid = Object.fromEntries(validStates().map((v) => [v.state.type + (v.name.includes('every') ? '+' : ''), v.state])) as Record<string, FormState>;

describe('the project examples (accepted by the node) are valid here too', () => {
  it('reads 42 examples of every type', () => {
    expect(examples.length).toBe(42);
    expect(new Set(examples.map((e) => e.type))).toEqual(new Set(RECORD_TYPES));
  });
  examples.forEach((doc, i) => {
    it(`line ${i + 1} (${String(doc.type)}, ${String(doc.tlp)})`, () => {
      expect(validateDocument(doc, { role: 'analyst' })).toEqual([]);
    });
  });
  it('a contributor may not send the amber and red ones', () => {
    const restricted = examples.filter((e) => !['clear', 'green'].includes(e.tlp as string));
    expect(restricted.length).toBeGreaterThan(0);
    for (const doc of restricted) expect(validateDocument(doc, { role: 'contributor' }).map((i) => i.key)).toEqual(['submit.err.tlpRole']);
  });
});

describe('valid form states', () => {
  for (const { name, state } of validStates()) {
    it(name, () => {
      expect(validateForm(state, { role: 'analyst' })).toEqual([]);
      expect(validateForm(state, { role: 'contributor' })).toEqual([]);
    });
  }
});

describe('an empty form', () => {
  const expected: Record<RecordType, string[]> = {
    incident: ['title', 'occurred', 'domain', 'harm_categories', 'severity', 'description'],
    system: ['title', 'name', 'provider', 'purpose', 'sector', 'deployment_countries', 'risk_tier', 'human_involvement'],
    assessment: ['title', 'system-name', 'answers', 'risk_tier', 'recommended_human_involvement'],
    evaluation: ['title', 'model', 'task', 'samples', 'metrics-0-name', 'metrics-0-value'],
    practice: ['title', 'kind', 'principles', 'description'],
    oversight: [
      'title',
      'principal-name',
      'principal-role',
      'principal-authority',
      'system-name',
      'output-summary',
      'decision',
      'rationale',
      'decided',
      'signature-key',
      'signature-sig',
    ],
  };
  for (const type of RECORD_TYPES) {
    it(`${type}: names every required field`, () => {
      const issues = validateForm(formState(type, {}, {}));
      expect(issues.map((i) => i.field)).toEqual(expected[type]);
    });
  }
  it('a document (upload) missing a group is told at the group, the form at its inputs', () => {
    const doc = buildDocument(formState('oversight', { title: 't' }, {}));
    expect(validateDocument(doc).map((i) => i.pointer)).toContain('/body/principal');
    expect(validateDocument(doc, { expandGroups: true }).map((i) => i.pointer)).toContain('/body/principal/name');
  });
  it('says "choose" for choices and "fill in" for text', () => {
    const by = Object.fromEntries(validateForm(formState('incident', {}, {})).map((i) => [i.field, i.key]));
    expect(by).toMatchObject({
      title: 'submit.err.required',
      domain: 'submit.err.choose',
      severity: 'submit.err.choose',
      harm_categories: 'submit.err.chooseSome',
      description: 'submit.err.required',
    });
    const a = Object.fromEntries(validateForm(formState('assessment', {}, {})).map((i) => [i.field, i.key]));
    expect(a.answers).toBe('submit.err.minProperties');
  });
});

describe('mistakes, each on its field', () => {
  const inc = valid['incident+'];
  it('whitespace-only text is missing', () => {
    expect(fields(withEnv(inc, ['title'], '   \n '))).toEqual(['title submit.err.required']);
    expect(fields(withBody(inc, ['description'], '  '))).toEqual(['description submit.err.required']);
  });
  it('title longer than 512 characters (counted in code points)', () => {
    const ok = withEnv(inc, ['title'], '🙂'.repeat(512));
    expect(fields(ok)).toEqual([]);
    const s = withEnv(inc, ['title'], 'x'.repeat(513));
    const issue = validateForm(s)[0];
    expect(issue).toMatchObject({ field: 'title', key: 'submit.err.maxLength', vars: { max: 512, n: 513 } });
  });
  it('impossible and malformed dates', () => {
    expect(fields(withBody(inc, ['occurred'], '2026-02-30'))).toEqual(['occurred submit.err.dateOrTime']);
    expect(fields(withBody(inc, ['occurred'], '2024-02-29'))).toEqual([]);
    expect(fields(withBody(inc, ['occurred'], '2026-11-23T25:00:00Z'))).toEqual(['occurred submit.err.dateOrTime']);
    expect(fields(withBody(inc, ['occurred'], '2026-11-23T09:45:00.5Z'))).toEqual([]);
    expect(fields(withBody(inc, ['occurred'], '23/11/2026'))).toEqual(['occurred submit.err.dateOrTime']);
    expect(fields(withBody(inc, ['sources', 0, 'published'], '2025-13-01'))).toEqual(['sources-0-published submit.err.date']);
  });
  it('numbers: not a number, out of range, not whole', () => {
    expect(fields(withBody(inc, ['location', 'lat'], '91'))).toEqual(['location-lat submit.err.range']);
    expect(fields(withBody(inc, ['location', 'lon'], '-180.5'))).toEqual(['location-lon submit.err.range']);
    expect(fields(withBody(inc, ['location', 'lat'], '13,75'))).toEqual(['location-lat submit.err.number']);
    expect(fields(withBody(inc, ['affected'], '12.5'))).toEqual(['affected submit.err.integer']);
    expect(fields(withBody(inc, ['affected'], '-1'))).toEqual(['affected submit.err.minimum']);
    expect(fields(withBody(inc, ['affected'], 'many'))).toEqual(['affected submit.err.integer']);
    expect(fields(withBody(inc, ['losses', 'amount'], '-5'))).toEqual(['losses-amount submit.err.minimum']);
  });
  it('half-filled groups need their required members', () => {
    const s = withBody(withBody(inc, ['location'], { lat: '', lon: '', place: 'Hat Yai' }), ['losses'], { amount: '10', currency: '' });
    expect(fields(s)).toEqual(['location-lat submit.err.required', 'location-lon submit.err.required', 'losses-currency submit.err.required']);
    expect(fields(withBody(inc, ['losses', 'currency'], 'thb'))).toEqual(['losses-currency submit.err.currency']);
  });
  it('rows: an empty row, a bad URL, a bad record id', () => {
    const rows = withBody(inc, ['observables'], [
      { kind: 'url', value: 'https://a.example', note: '' },
      { kind: '', value: '', note: '' },
    ]);
    expect(fields(rows)).toEqual(['observables-1-kind submit.err.choose', 'observables-1-value submit.err.required']);
    expect(fields(withBody(inc, ['sources', 0, 'url'], 'cert.example/x'))).toEqual(['sources-0-url submit.err.url']);
    expect(fields(withBody(inc, ['systems', 0, 'record'], 'ABC'))).toEqual(['systems-0-record submit.err.recordId']);
  });
  it('related ids: malformed and repeated', () => {
    expect(fields(withEnv(inc, ['related'], `${HEX('a')} nothex`))).toEqual(['related submit.err.recordId']);
    expect(fields(withEnv(inc, ['related'], `${HEX('a')}, ${HEX('a')}`))).toEqual(['related submit.err.unique']);
    expect(fields(withEnv(inc, ['supersedes'], HEX('A')))).toEqual(['supersedes submit.err.recordId']);
  });
  it('TLP: a contributor may not choose amber or red; amber needs an audience', () => {
    const amber = withEnv(inc, ['tlp'], 'amber');
    expect(fields(amber, 'analyst')).toEqual(['audience submit.err.audienceRequired']);
    expect(fields(amber, 'contributor')).toEqual(['audience submit.err.audienceRequired', 'tlp submit.err.tlpRole']);
    const named = withEnv(amber, ['audience'], 'th-etda, sg-aisi');
    expect(fields(named, 'analyst')).toEqual([]);
    expect(buildDocument(named).audience).toEqual(['th-etda', 'sg-aisi']);
    expect(fields(withEnv(amber, ['audience'], 'th etda!'), 'analyst')).toEqual(['audience submit.err.nodeName']);
    expect(fields(withEnv(inc, ['tlp'], 'red'), 'analyst')).toEqual([]);
    expect(fields(withEnv(inc, ['tlp'], 'red'), 'contributor')).toEqual(['tlp submit.err.tlpRole']);
    // An audience typed before switching back to green is not sent.
    expect(buildDocument(withEnv(named, ['tlp'], 'green')).audience).toBeUndefined();
  });
  it('system: deployment countries are required; a bad language tag', () => {
    expect(fields(withBody(valid.system, ['deployment_countries'], []))).toEqual(['deployment_countries submit.err.chooseSome']);
    expect(fields(withEnv(valid.system, ['lang'], 'Thai'))).toEqual(['lang submit.err.lang']);
  });
  it('assessment: an answer without its rating; empty evidence rows', () => {
    const s = withBody(valid.assessment, ['answers', 'security-safety'], { rating: '', answer: 'Pen-tested yearly.', evidence: [''] });
    expect(fields(s)).toEqual(['answers-security-safety-rating submit.err.choose', 'answers-security-safety-evidence-0 submit.err.required']);
  });
  it('evaluation: negative stderr, samples missing, every metric row removed', () => {
    expect(fields(withBody(valid.evaluation, ['metrics', 1, 'stderr'], '-0.1'))).toEqual(['metrics-1-stderr submit.err.minimum']);
    expect(fields(withBody(valid.evaluation, ['samples'], ''))).toEqual(['samples submit.err.required']);
    expect(fields(withBody(valid.evaluation, ['metrics'], []))).toEqual(['metrics submit.err.minItems']);
  });
  it('practice: repeated sectors; reference too long', () => {
    expect(fields(withBody(valid.practice, ['sectors'], 'health, health'))).toEqual(['sectors submit.err.unique']);
    expect(fields(withBody(valid.practice, ['references'], ['x'.repeat(2049)]))).toEqual(['references-0 submit.err.maxLength']);
  });
  it('oversight: malformed key and signature, missing time', () => {
    const o = valid.oversight;
    expect(fields(withBody(o, ['signature', 'key'], 'no key'))).toEqual(['signature-key submit.err.sigKey']);
    expect(fields(withBody(o, ['signature', 'sig'], 'abc=='))).toEqual(['signature-sig submit.err.sig']);
    expect(fields(withBody(o, ['decided'], ''))).toEqual(['decided submit.err.required']);
    expect(fields(withBody(o, ['output', 'sha256'], 'xyz'))).toEqual(['output-sha256 submit.err.sha256']);
  });
  it('issuesFor picks a field and the fields inside it', () => {
    const issues = validateForm(formState('incident', {}, { location: { lat: 'x', lon: '', place: '' } }));
    expect(issuesFor(issues, 'location').map((i) => i.field)).toEqual(['location-lat', 'location-lon']);
    expect(issuesFor(issues, 'loc')).toEqual([]);
  });
});

describe('documents from elsewhere (uploads)', () => {
  const base = () => JSON.parse(JSON.stringify(examples[0])) as Record<string, unknown>;
  it('unknown members, wrong types, unknown type, not an object', () => {
    const d = base();
    d.colour = 'red';
    (d.body as Record<string, unknown>).mood = 1;
    expect(validateDocument(d).map((i) => `${i.pointer} ${i.key}`)).toEqual(['/colour submit.err.unknownMember', '/body/mood submit.err.unknownMember']);
    const t = base();
    t.title = 5;
    t.countries = 'TH';
    expect(validateDocument(t).map((i) => `${i.pointer} ${i.key}`)).toEqual(['/title submit.err.notText', '/countries submit.err.notList']);
    expect(validateDocument({ ...base(), type: 'rumour' }).map((i) => i.key)).toEqual(['submit.err.typeUnknown']);
    expect(validateDocument([1]).map((i) => i.key)).toEqual(['submit.err.notRecord']);
  });
  it('unassigned country codes, the filled members, audience on green', () => {
    const d = { ...base(), countries: ['TH', 'ZZ'], created: '2026-02-30T00:00:00Z', nonce: 'abc', origin: 'th node' };
    expect(validateDocument(d).map((i) => `${i.pointer} ${i.key}`)).toEqual([
      '/countries/1 submit.err.country',
      '/origin submit.err.nodeName',
      '/created submit.err.timestamp',
      '/nonce submit.err.pattern',
    ]);
    expect(validateDocument({ ...base(), tlp: 'green', audience: ['a'] }).map((i) => i.key)).toEqual(['submit.err.audienceForbidden']);
    expect(validateDocument({ ...base(), tlp: 'amber+strict', audience: [] }, { role: 'analyst' }).map((i) => i.key)).toEqual(['submit.err.minItems']);
  });
  it('integers beyond 2^53 are refused', () => {
    const d = base();
    (d.body as Record<string, unknown>).affected = 2 ** 60;
    expect(validateDocument(d).map((i) => i.key)).toEqual(['submit.err.tooBig']);
  });
});

describe('date checks', () => {
  it('real dates and times only', () => {
    expect(isRealDate('2024-02-29')).toBe(true);
    expect(isRealDate('2100-02-29')).toBe(false);
    expect(isRealDate('2000-02-29')).toBe(true);
    expect(isRealDate('2026-04-31')).toBe(false);
    expect(isRealTimestamp('2026-11-23T23:59:59Z')).toBe(true);
    expect(isRealTimestamp('2026-11-23T23:59:60Z')).toBe(false);
    expect(isRealTimestamp('2026-11-23T09:45:22.1234567891Z')).toBe(false);
    expect(isRealTimestamp('2026-11-23T09:45:22+07:00')).toBe(false);
  });
});
