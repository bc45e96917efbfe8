// fields.ts against the real schemas (../../schemas): every property, enum,
// required member, length, pattern, bound and item count must be described,
// and nothing may be described that the schemas lack. Drift fails here.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BODIES, ENVELOPE, ENVELOPE_STRUCTURAL, RECORD_TYPES, labelKey, type Field, type RecordType } from '../src/submit/fields';
import en from '../src/submit/locales/en.json';
import { REPO, schema } from './submit-helpers';

type S = Record<string, unknown>;

function deref(root: S, node: S): S {
  let n = node;
  for (let i = 0; i < 8 && typeof n.$ref === 'string'; i++) {
    const path = (n.$ref as string).replace(/^#\//, '').split('/');
    n = path.reduce<S>((o, k) => o[k] as S, root);
  }
  return n;
}

/** Differences between a schema node and a field description, as readable lines. */
export function compareField(root: S, node0: S, f: Field, where: string, out: string[]): void {
  const node = deref(root, node0);
  const eq = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${where}: ${what} is ${JSON.stringify(b)} in fields.ts, ${JSON.stringify(a)} in the schema`);
  };
  if (Array.isArray(node.enum)) {
    eq('kind', 'enum', f.kind);
    eq('enum', node.enum, f.enum ? [...f.enum] : undefined);
    return;
  }
  switch (node.type) {
    case 'string':
      eq('kind', 'string', f.kind);
      eq('minLength', node.minLength, f.minLength);
      eq('maxLength', node.maxLength, f.maxLength);
      eq('pattern', node.pattern, f.pattern);
      return;
    case 'integer':
    case 'number':
      eq('kind', node.type, f.kind);
      eq('minimum', node.minimum, f.minimum);
      eq('maximum', node.maximum, f.maximum);
      return;
    case 'array': {
      eq('minItems', node.minItems, f.minItems);
      eq('maxItems', node.maxItems, f.maxItems);
      eq('uniqueItems', node.uniqueItems ?? false, f.uniqueItems ?? false);
      const items = deref(root, node.items as S);
      if (items.type === 'object') {
        eq('kind', 'rows', f.kind);
        compareMembers(root, items, f.fields ?? [], where, out);
      } else {
        eq('kind', 'list', f.kind);
        if (!f.item) out.push(`${where}: a list without an item description`);
        else compareField(root, items, f.item, `${where}[]`, out);
      }
      return;
    }
    case 'object':
      eq('kind', 'object', f.kind);
      eq('minProperties', node.minProperties, f.minProperties);
      compareMembers(root, node, f.fields ?? [], where, out);
      return;
    default:
      out.push(`${where}: schema type ${String(node.type)} is not handled`);
  }
}

export function compareMembers(root: S, node: S, fields: readonly Field[], where: string, out: string[], skip: readonly string[] = []): void {
  const props = (node.properties ?? {}) as Record<string, S>;
  const required = ((node.required ?? []) as string[]).filter((r) => !skip.includes(r));
  if (node.additionalProperties !== false) out.push(`${where}: the schema allows unknown members; the form assumes it does not`);
  for (const name of Object.keys(props)) {
    if (skip.includes(name)) continue;
    const f = fields.find((x) => x.name === name);
    if (!f) {
      out.push(`${where}/${name}: in the schema, missing from fields.ts`);
      continue;
    }
    compareField(root, props[name], f, `${where}/${name}`, out);
    if (required.includes(name) !== !!f.required) {
      out.push(`${where}/${name}: required is ${!!f.required} in fields.ts, ${required.includes(name)} in the schema`);
    }
  }
  for (const f of fields) {
    if (!(f.name in props)) out.push(`${where}/${f.name}: in fields.ts, not in the schema`);
  }
}

function envelopeDiffs(envelope: S, fields: readonly Field[]): string[] {
  const out: string[] = [];
  compareMembers(envelope, envelope, fields, 'envelope', out, ENVELOPE_STRUCTURAL);
  return out;
}

function bodyDiffs(type: string, body: S, fields: readonly Field[]): string[] {
  const out: string[] = [];
  compareMembers(body, body, fields, type, out);
  return out;
}

describe('fields.ts follows schemas/*.schema.json', () => {
  it('knows exactly the record types the schemas define, incident first', () => {
    const files = readdirSync(REPO + 'schemas')
      .filter((f) => f.endsWith('.schema.json') && f !== 'envelope.schema.json')
      .map((f) => f.replace('.schema.json', ''));
    expect([...RECORD_TYPES].sort()).toEqual(files.sort());
    expect(Object.keys(BODIES).sort()).toEqual(files.sort());
    expect(RECORD_TYPES[0]).toBe('incident');
    const env = schema('envelope') as { properties: { type: { enum: string[] } } };
    expect([...RECORD_TYPES].sort()).toEqual([...env.properties.type.enum].sort());
  });

  it('describes the envelope', () => {
    expect(envelopeDiffs(schema('envelope'), ENVELOPE)).toEqual([]);
    // The node fills these when absent; they are required by the schema.
    expect(ENVELOPE.filter((f) => f.filled).map((f) => f.name).sort()).toEqual(['created', 'nonce', 'origin']);
  });

  for (const type of RECORD_TYPES) {
    it(`describes the ${type} body`, () => {
      expect(bodyDiffs(type, schema(type), BODIES[type])).toEqual([]);
    });
  }

  it('notices drift (the comparison can fail)', () => {
    const incident = schema('incident');
    const drop = BODIES.incident.filter((f) => f.name !== 'severity');
    expect(bodyDiffs('incident', incident, drop)).toContain('incident/severity: in the schema, missing from fields.ts');
    const extra = [...BODIES.incident, { name: 'mood', kind: 'string' } as Field];
    expect(bodyDiffs('incident', incident, extra)).toContain('incident/mood: in fields.ts, not in the schema');
    const enumDrift = BODIES.incident.map((f) => (f.name === 'severity' ? { ...f, enum: ['low', 'high'] } : f));
    expect(bodyDiffs('incident', incident, enumDrift).join('\n')).toMatch(/incident\/severity: enum/);
    const notRequired = BODIES.incident.map((f) => (f.name === 'description' ? { ...f, required: false } : f));
    expect(bodyDiffs('incident', incident, notRequired).join('\n')).toMatch(/incident\/description: required is false/);
    const len = ENVELOPE.map((f) => (f.name === 'title' ? { ...f, maxLength: 500 } : f));
    expect(envelopeDiffs(schema('envelope'), len).join('\n')).toMatch(/envelope\/title: maxLength is 500/);
    const nested = BODIES.incident.map((f) =>
      f.name === 'observables' ? { ...f, fields: (f.fields ?? []).filter((x) => x.name !== 'note') } : f,
    );
    expect(bodyDiffs('incident', incident, nested)).toContain('incident/observables/note: in the schema, missing from fields.ts');
    const pattern = BODIES.incident.map((f) =>
      f.name === 'losses' ? { ...f, fields: (f.fields ?? []).map((x) => (x.name === 'currency' ? { ...x, pattern: '^[A-Z]+$' } : x)) } : f,
    );
    expect(bodyDiffs('incident', incident, pattern).join('\n')).toMatch(/incident\/losses\/currency: pattern/);
  });
});

/** Every message key the form uses for labels, help texts and enum labels. */
export function formKeys(): string[] {
  const keys: string[] = [];
  const walk = (scope: RecordType | 'env', fields: readonly Field[], names: string[]) => {
    for (const f of fields) {
      if (f.hidden) continue;
      const path = [...names, f.name];
      const lk = labelKey(scope, path, f);
      keys.push(lk);
      if (f.help) keys.push(`${lk}.help`);
      if (f.kind === 'rows' || (f.kind === 'list' && f.widget === 'lines')) keys.push(`${lk}.add`, `${lk}.item`);
      if (f.patternMessage) keys.push(f.patternMessage);
      for (const ef of [f, f.item].filter((x): x is Field => !!x)) {
        if (ef.patternMessage) keys.push(ef.patternMessage);
        for (const v of ef.enum ?? []) {
          keys.push(`submit.enum.${ef.enumKey}.${v}`);
          if (ef.enumHelp) keys.push(`submit.enum.${ef.enumKey}.${v}.help`);
        }
      }
      if (f.fields) walk(scope, f.fields, path);
    }
  };
  walk('env', ENVELOPE, []);
  for (const type of RECORD_TYPES) {
    walk(type, BODIES[type], []);
    keys.push(`submit.type.${type}`, `submit.type.${type}.help`);
  }
  return [...new Set(keys)];
}

describe('every label of the form has an English text', () => {
  it('has labels, help texts and enum labels for every field', () => {
    const missing = formKeys().filter((k) => !(k in en));
    expect(missing).toEqual([]);
  });
  it('gives every enum a key', () => {
    const noKey: string[] = [];
    const walk = (fields: readonly Field[]) => {
      for (const f of fields) {
        for (const ef of [f, f.item].filter((x): x is Field => !!x)) if (ef.enum && !ef.enumKey) noKey.push(ef.name);
        if (f.fields) walk(f.fields);
      }
    };
    walk(ENVELOPE);
    for (const t of RECORD_TYPES) walk(BODIES[t]);
    expect(noKey).toEqual([]);
  });
});
