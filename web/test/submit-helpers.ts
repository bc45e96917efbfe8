// Shared by the submit tests: complete form states, one or more per record
// type, as a person would fill the form (strings as typed, untrimmed here and
// there), and an Ed25519 signer for the oversight decision.
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildDocument } from '../src/submit/build';
import { oversightSigningInput } from '../src/submit/canonical';
import type { RecordType } from '../src/submit/fields';
import { emptyRow, initialState, setAt, type FormState, type Row, type Value } from '../src/submit/state';
import { BODIES } from '../src/submit/fields';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export function readRepo(path: string): string {
  return readFileSync(REPO + path, 'utf8');
}

export function schema(name: string): Record<string, unknown> {
  return JSON.parse(readRepo(`schemas/${name}.schema.json`)) as Record<string, unknown>;
}

/** A form state of `type` with the given envelope and body values laid over an empty form. */
export function formState(type: RecordType, env: Row, body: Row, lang = 'en'): FormState {
  const s = initialState(lang, type);
  s.env = { ...s.env, ...env };
  let b = emptyRow(BODIES[type]);
  for (const [k, v] of Object.entries(body)) b = setAt(b, [k], v as Value);
  s.bodies[type] = b;
  return s;
}

// A test key from a fixed, public seed: never trust it for anything.
const SEED = createHash('sha256').update('aisafe web-submit test officer').digest();
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, SEED]), format: 'der', type: 'pkcs8' });
const spkiDer = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
const publicRaw = spkiDer.subarray(spkiDer.length - 32);

export const SIGNER_NAME = 'duty-officer@web-submit.test';

/** The C2SP signed-note verifier key of the test signer. */
export function verifierKey(): string {
  const pub = publicRaw;
  const keyId = createHash('sha256')
    .update(Buffer.concat([Buffer.from(SIGNER_NAME + '\n'), Buffer.from([0x01]), pub]))
    .digest()
    .subarray(0, 4)
    .toString('hex');
  return `${SIGNER_NAME}+${keyId}+${Buffer.concat([Buffer.from([0x01]), pub]).toString('base64')}`;
}

/** Signs the oversight form's body as the human would, and puts key and signature into the form. */
export function signOversight(state: FormState): FormState {
  const doc = buildDocument(state);
  const input = oversightSigningInput(doc.body as Record<string, never>);
  const sig = sign(null, Buffer.from(input, 'utf8'), privateKey).toString('base64');
  const body = setAt(state.bodies.oversight as Row, ['signature'], { key: verifierKey(), sig });
  return { ...state, bodies: { ...state.bodies, oversight: body } };
}

export const HEX = (c: string) => c.repeat(64);

/** Valid form states: the documents build.ts makes of them must pass the node's validation. */
export function validStates(): { name: string; state: FormState }[] {
  const out: { name: string; state: FormState }[] = [];
  out.push({
    name: 'incident, minimal: the public reporting a harm',
    state: formState(
      'incident',
      { title: '  Deepfake video of a minister sells a fake investment ', tlp: 'clear', lang: 'en', countries: ['TH'] },
      {
        occurred: '2026-11-20',
        domain: 'financial',
        harm_categories: ['misinformation', 'malicious-use'],
        severity: 'high',
        description: 'A video ad used an AI-made face and voice of a minister to push an investment site.\n\nMany people paid.',
      },
    ),
  });
  out.push({
    name: 'incident, every field',
    state: formState(
      'incident',
      {
        title: 'โฆษณาดีปเฟกชักชวนลงทุน',
        summary: 'คลิปปลอมใช้ใบหน้าผู้มีชื่อเสียง',
        tlp: 'green',
        lang: 'th',
        countries: ['TH', 'MY'],
        related: `${HEX('a')}, ${HEX('b')}`,
      },
      {
        occurred: '2026-09-02',
        domain: 'undersea-infrastructure',
        harm_categories: ['ai-system-safety'],
        severity: 'critical',
        description: 'รายละเอียดเหตุการณ์',
        location: { lat: '13.75', lon: '100.5', place: 'Bangkok' },
        affected: '1240',
        losses: { amount: '2500000.50', currency: 'THB' },
        systems: [{ name: 'VoiceClone X', provider: 'Example Labs', model: 'vc-2', record: HEX('c') }],
        observables: [
          { kind: 'domain', value: 'invest-asean-profit.example', note: '' },
          { kind: 'phone', value: '+66 2 000 0419', note: 'call centre' },
        ],
        sources: [{ title: 'Advisory', url: 'https://cert.example/advisory/1', published: '2026-09-03' }],
      },
      'th',
    ),
  });
  out.push({
    name: 'system',
    state: formState(
      'system',
      { title: 'Tanya Kerajaan virtual assistant', tlp: 'green', lang: 'ms', countries: ['MY'] },
      {
        name: 'Tanya Kerajaan',
        version: '2.1',
        provider: 'Agensi Contoh',
        purpose: 'Menjawab soalan orang ramai tentang perkhidmatan kerajaan.',
        sector: 'public-administration',
        deployment_countries: ['MY', 'BN'],
        risk_tier: 'limited',
        human_involvement: 'human-over-the-loop',
        models: ['llm-ms-7b', ' llm-ms-guard '],
        contact: 'ai@agensi.example',
      },
      'ms',
    ),
  });
  out.push({
    name: 'assessment',
    state: formState(
      'assessment',
      { title: 'Penilaian mandiri: chatbot layanan pajak', tlp: 'clear', lang: 'id', countries: ['ID'] },
      {
        system: { name: 'Chatbot Pajak', record: HEX('d') },
        assessor: 'Tim TI',
        answers: {
          'transparency-explainability': { rating: 'partially-met', answer: 'Pengguna diberi tahu bahwa mereka berbicara dengan AI.', evidence: ['https://pajak.example/ai'] },
          'fairness-equity': { rating: 'not-applicable', answer: 'Tidak ada keputusan tentang orang.', evidence: [] },
        },
        risk_tier: 'limited',
        recommended_human_involvement: 'human-in-the-loop',
      },
      'id',
    ),
  });
  out.push({
    name: 'evaluation',
    state: formState(
      'evaluation',
      { title: 'Đánh giá an toàn mô hình tiếng Việt', tlp: 'green', lang: 'vi', countries: ['VN'] },
      {
        model: 'vi-llm-13b',
        task: 'jailbreak-vi',
        framework: 'inspect',
        evaluated: '2026-10-01',
        samples: '500',
        metrics: [
          { name: 'refusal_rate', value: '0.94', stderr: '0.011' },
          { name: 'harmful_rate', value: '-0', stderr: '' },
        ],
        findings: 'Mô hình từ chối phần lớn yêu cầu nguy hiểm.',
        system: HEX('e'),
      },
      'vi',
    ),
  });
  out.push({
    name: 'practice',
    state: formState(
      'practice',
      { title: 'Red-teaming dalam Bahasa Melayu', tlp: 'clear', lang: 'ms' },
      {
        kind: 'best-practice',
        principles: ['security-safety', 'robustness-reliability'],
        description: 'Uji model dalam bahasa tempatan.',
        sectors: 'public administration, health',
        references: ['https://example.org/red-teaming'],
      },
      'ms',
    ),
  });
  out.push({
    name: 'oversight, signed',
    state: signOversight(
      formState(
        'oversight',
        { title: 'Officer rejects an automated benefit refusal', tlp: 'clear', lang: 'en', countries: ['SG'] },
        {
          principal: { name: 'A. Tan (pseudonym)', role: 'Case officer', authority: 'Benefits review, delegated' },
          system: { name: 'Eligibility screener', record: '' },
          output: { summary: 'Proposed refusal of application 17.', sha256: HEX('f') },
          decision: 'reject',
          rationale: 'The applicant’s income was misread from a scanned payslip.',
          decided: '2026-10-02T11:15',
        },
      ),
    ),
  });
  return out;
}
