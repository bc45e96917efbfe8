// The documents build.ts makes of valid form states, one per line, in
// test/fixtures/submit-valid.jsonl. A C++ test feeds that file to
// `aisafe submit`, so the node's own validation checks what the form sends.
// Regenerate after a deliberate change: UPDATE_FIXTURES=1 npx vitest run test/submit-fixtures
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDocument } from '../src/submit/build';
import { RECORD_TYPES } from '../src/submit/fields';
import { validateDocument } from '../src/submit/validate';
import { validStates } from './submit-helpers';

const FILE = fileURLToPath(new URL('./fixtures/submit-valid.jsonl', import.meta.url));

function expected(): string {
  return validStates().map((v) => JSON.stringify(buildDocument(v.state))).join('\n') + '\n';
}

describe('fixtures/submit-valid.jsonl', () => {
  // The oversight decision time is typed in local time: fix the zone so the file is the same everywhere.
  const tz = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = 'UTC';
    if (process.env.UPDATE_FIXTURES) writeFileSync(FILE, expected());
  });
  afterAll(() => {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  });

  it('is what build.ts makes of the valid form states', () => {
    expect(existsSync(FILE)).toBe(true);
    expect(readFileSync(FILE, 'utf8')).toBe(expected());
  });

  it('covers every record type, and every line passes the local validator', () => {
    const docs = readFileSync(FILE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(new Set(docs.map((d) => d.type))).toEqual(new Set(RECORD_TYPES));
    for (const d of docs) expect(validateDocument(d, { role: 'contributor' })).toEqual([]);
  });

  it('the decision time was converted to UTC', () => {
    const o = validStates().find((v) => v.state.type === 'oversight')!;
    expect((buildDocument(o.state).body as { decided: string }).decided).toBe('2026-10-02T11:15:00Z');
  });
});
