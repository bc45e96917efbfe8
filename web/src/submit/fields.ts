// The submission form, described as data. It mirrors schemas/*.schema.json
// (the node's own validation): required members, enums, lengths, patterns,
// bounds, item counts. test/submit-fields.test.ts loads the real schema files
// and fails when this description and the schemas drift apart.
//
// `kind` is the JSON shape; `widget` how the form shows it. Labels and help
// texts live in locales/<lang>.json under `submit.<scope>.<path>` (see
// labelKey), enum labels under `submit.enum.<enumKey>.<value>`.

export type RecordType = 'incident' | 'system' | 'assessment' | 'evaluation' | 'practice' | 'oversight';

/** Incident first: the public's "report an AI harm". */
export const RECORD_TYPES: readonly RecordType[] = [
  'incident',
  'system',
  'assessment',
  'evaluation',
  'practice',
  'oversight',
];

export type Kind = 'string' | 'enum' | 'integer' | 'number' | 'list' | 'object' | 'rows';

export type Widget =
  | 'text'
  | 'textarea'
  | 'select'
  | 'radios'
  | 'checkboxes'
  | 'date'
  | 'datetime'
  | 'csv' // a list of short strings typed into one input, separated by commas, spaces or new lines
  | 'lines' // a list of strings as add/remove rows, one input per item
  | 'countries' // checkboxes of the member states
  | 'lang'; // a select of the region's languages

/** Checks the node makes beyond the schema (src/records/record.cc). */
export type Check = 'date' | 'date-or-time' | 'timestamp' | 'country';

export interface Field {
  name: string;
  kind: Kind;
  widget?: Widget;
  required?: boolean;
  /** Required by the schema but filled by the node when absent (origin, created, nonce). */
  filled?: boolean;
  /** Not shown in the guided form (still validated in uploads). */
  hidden?: boolean;
  enum?: readonly string[];
  /** Enum labels: submit.enum.<enumKey>.<value>. */
  enumKey?: string;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  /** Error message key when the pattern fails (default submit.err.pattern). */
  patternMessage?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  check?: Check;
  /** Members of an object, or of each row of `rows`. */
  fields?: readonly Field[];
  /** The item of a `list`. */
  item?: Field;
  /** Label key override (submit.<label>), for labels shared by several fields. */
  label?: string;
  /** This field has a help text (key <label key>.help). */
  help?: boolean;
  /** Each enum value has a help text (submit.enum.<enumKey>.<value>.help). */
  enumHelp?: boolean;
  /** Rows shown when the form starts (rows and lines widgets). */
  initialRows?: number;
}

// Patterns, exactly as in the schemas.
export const NODE_NAME = '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$';
export const RECORD_ID = '^[0-9a-f]{64}$';
export const TIMESTAMP = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$';
export const DATE = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';
export const DATE_OR_TIME = '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z)?$';
export const LANG_TAG = '^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$';
export const COUNTRY = '^[A-Z]{2}$';
export const SHA256 = '^[0-9a-f]{64}$';

export const TLP = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type Tlp = (typeof TLP)[number];
/** What a contributor may send (src/auth: CheckSubmitMarking). */
export const CONTRIBUTOR_TLP: readonly Tlp[] = ['clear', 'green'];

export const PRINCIPLES = [
  'transparency-explainability',
  'fairness-equity',
  'security-safety',
  'human-centricity',
  'privacy-data-governance',
  'accountability-integrity',
  'robustness-reliability',
] as const;

export const RISK_TIERS = ['minimal', 'limited', 'high', 'unacceptable'] as const;
export const HUMAN_INVOLVEMENT = ['human-in-the-loop', 'human-over-the-loop', 'human-out-of-the-loop'] as const;

/** The 11 ASEAN member states (ISO 3166-1 alpha-2), in the order of their English names. */
export const MEMBER_STATES = ['BN', 'KH', 'ID', 'LA', 'MY', 'MM', 'PH', 'SG', 'TH', 'TL', 'VN'] as const;

/** Languages of the region for the record's `lang`, with their own names. */
export const REGION_LANGUAGES: readonly { tag: string; name: string }[] = [
  { tag: 'en', name: 'English' },
  { tag: 'ms', name: 'Bahasa Melayu' },
  { tag: 'id', name: 'Bahasa Indonesia' },
  { tag: 'th', name: 'ไทย' },
  { tag: 'vi', name: 'Tiếng Việt' },
  { tag: 'fil', name: 'Filipino' },
  { tag: 'km', name: 'ខ្មែរ' },
  { tag: 'lo', name: 'ລາວ' },
  { tag: 'my', name: 'မြန်မာ' },
  { tag: 'tet', name: 'Tetun' },
  { tag: 'pt', name: 'Português' },
  { tag: 'zh', name: '中文' },
  { tag: 'zh-Hant', name: '中文（繁體）' },
  { tag: 'ta', name: 'தமிழ்' },
];

// ---------------------------------------------------------------- envelope

export const ENVELOPE: readonly Field[] = [
  { name: 'title', kind: 'string', required: true, minLength: 1, maxLength: 512, help: true },
  { name: 'summary', kind: 'string', widget: 'textarea', help: true },
  { name: 'tlp', kind: 'enum', widget: 'radios', required: true, enum: TLP, enumKey: 'tlp', enumHelp: true, help: true },
  {
    name: 'audience',
    kind: 'list',
    widget: 'csv',
    minItems: 1,
    maxItems: 256,
    uniqueItems: true,
    item: { name: 'audience', kind: 'string', pattern: NODE_NAME, patternMessage: 'submit.err.nodeName' },
    help: true,
  },
  {
    name: 'lang',
    kind: 'string',
    widget: 'lang',
    required: true,
    pattern: LANG_TAG,
    patternMessage: 'submit.err.lang',
    help: true,
  },
  {
    name: 'countries',
    kind: 'list',
    widget: 'countries',
    maxItems: 256,
    uniqueItems: true,
    item: { name: 'countries', kind: 'string', pattern: COUNTRY, check: 'country', patternMessage: 'submit.err.country' },
    help: true,
  },
  {
    name: 'supersedes',
    kind: 'string',
    pattern: RECORD_ID,
    patternMessage: 'submit.err.recordId',
    help: true,
  },
  {
    name: 'related',
    kind: 'list',
    widget: 'csv',
    maxItems: 256,
    uniqueItems: true,
    item: { name: 'related', kind: 'string', pattern: RECORD_ID, patternMessage: 'submit.err.recordId' },
    help: true,
  },
  // Filled by the node; an upload may carry them.
  { name: 'origin', kind: 'string', required: true, filled: true, hidden: true, pattern: NODE_NAME, patternMessage: 'submit.err.nodeName' },
  { name: 'author', kind: 'string', hidden: true, minLength: 1, maxLength: 128 },
  {
    name: 'created',
    kind: 'string',
    required: true,
    filled: true,
    hidden: true,
    pattern: TIMESTAMP,
    check: 'timestamp',
    patternMessage: 'submit.err.timestamp',
  },
  { name: 'nonce', kind: 'string', required: true, filled: true, hidden: true, pattern: '^[0-9a-f]{32}$' },
];

/** Envelope members that are not fields: the type select and the body itself. */
export const ENVELOPE_STRUCTURAL = ['type', 'body'] as const;

// ---------------------------------------------------------------- bodies

const systemRef = (required: boolean): Field => ({
  name: 'system',
  kind: 'object',
  required,
  fields: [
    { name: 'name', kind: 'string', required: true, minLength: 1, maxLength: 256, label: 'ref.systemName' },
    { name: 'record', kind: 'string', pattern: RECORD_ID, patternMessage: 'submit.err.recordId', label: 'ref.record', help: true },
  ],
});

const answer = (principle: string): Field => ({
  name: principle,
  kind: 'object',
  label: `enum.principle.${principle}`,
  fields: [
    {
      name: 'rating',
      kind: 'enum',
      widget: 'radios',
      required: true,
      enum: ['met', 'partially-met', 'not-met', 'not-applicable'],
      enumKey: 'rating',
      label: 'answer.rating',
    },
    { name: 'answer', kind: 'string', widget: 'textarea', required: true, minLength: 1, label: 'answer.answer', help: true },
    {
      name: 'evidence',
      kind: 'list',
      widget: 'lines',
      maxItems: 64,
      item: { name: 'evidence', kind: 'string', minLength: 1, maxLength: 2048 },
      label: 'answer.evidence',
      help: true,
    },
  ],
});

export const BODIES: Readonly<Record<RecordType, readonly Field[]>> = {
  incident: [
    {
      name: 'occurred',
      kind: 'string',
      widget: 'date',
      required: true,
      pattern: DATE_OR_TIME,
      check: 'date-or-time',
      patternMessage: 'submit.err.dateOrTime',
      help: true,
    },
    {
      name: 'domain',
      kind: 'enum',
      widget: 'select',
      required: true,
      enumKey: 'domain',
      enum: [
        'information',
        'financial',
        'cyber',
        'maritime',
        'undersea-infrastructure',
        'critical-infrastructure',
        'defence',
        'health',
        'public-services',
        'employment',
        'education',
        'other',
      ],
      help: true,
    },
    {
      name: 'harm_categories',
      kind: 'list',
      widget: 'checkboxes',
      required: true,
      minItems: 1,
      uniqueItems: true,
      item: {
        name: 'harm_categories',
        kind: 'enum',
        enumKey: 'harm',
        enumHelp: true,
        enum: [
          'discrimination-toxicity',
          'privacy-security',
          'misinformation',
          'malicious-use',
          'human-computer-interaction',
          'socioeconomic-environmental',
          'ai-system-safety',
        ],
      },
      help: true,
    },
    {
      name: 'severity',
      kind: 'enum',
      widget: 'radios',
      required: true,
      enumKey: 'severity',
      enumHelp: true,
      enum: ['low', 'moderate', 'high', 'critical'],
      help: true,
    },
    { name: 'description', kind: 'string', widget: 'textarea', required: true, minLength: 1, help: true },
    {
      name: 'location',
      kind: 'object',
      help: true,
      fields: [
        { name: 'lat', kind: 'number', required: true, minimum: -90, maximum: 90, help: true },
        { name: 'lon', kind: 'number', required: true, minimum: -180, maximum: 180, help: true },
        { name: 'place', kind: 'string', maxLength: 256 },
      ],
    },
    { name: 'affected', kind: 'integer', minimum: 0, help: true },
    {
      name: 'losses',
      kind: 'object',
      help: true,
      fields: [
        { name: 'amount', kind: 'number', required: true, minimum: 0 },
        { name: 'currency', kind: 'string', required: true, pattern: '^[A-Z]{3}$', patternMessage: 'submit.err.currency', help: true },
      ],
    },
    {
      name: 'systems',
      kind: 'rows',
      maxItems: 64,
      help: true,
      fields: [
        { name: 'name', kind: 'string', required: true, minLength: 1, maxLength: 256, label: 'ref.systemName' },
        { name: 'provider', kind: 'string', maxLength: 256 },
        { name: 'model', kind: 'string', maxLength: 256 },
        { name: 'record', kind: 'string', pattern: RECORD_ID, patternMessage: 'submit.err.recordId', label: 'ref.record', help: true },
      ],
    },
    {
      name: 'observables',
      kind: 'rows',
      maxItems: 1024,
      help: true,
      fields: [
        {
          name: 'kind',
          kind: 'enum',
          widget: 'select',
          required: true,
          enumKey: 'observable',
          enum: [
            'url',
            'domain',
            'ip',
            'phone',
            'email',
            'crypto-wallet',
            'file-sha256',
            'media-sha256',
            'media-phash',
            'model-id',
            'social-handle',
          ],
        },
        { name: 'value', kind: 'string', required: true, minLength: 1, maxLength: 2048 },
        { name: 'note', kind: 'string', maxLength: 1024 },
      ],
    },
    {
      name: 'sources',
      kind: 'rows',
      maxItems: 256,
      help: true,
      fields: [
        { name: 'title', kind: 'string', required: true, minLength: 1, maxLength: 512 },
        { name: 'url', kind: 'string', pattern: '^https?://', maxLength: 2048, patternMessage: 'submit.err.url' },
        { name: 'published', kind: 'string', widget: 'date', pattern: DATE, check: 'date', patternMessage: 'submit.err.date' },
      ],
    },
  ],

  system: [
    { name: 'name', kind: 'string', required: true, minLength: 1, maxLength: 256 },
    { name: 'version', kind: 'string', maxLength: 64 },
    { name: 'provider', kind: 'string', required: true, minLength: 1, maxLength: 256, help: true },
    { name: 'purpose', kind: 'string', widget: 'textarea', required: true, minLength: 1, help: true },
    {
      name: 'sector',
      kind: 'enum',
      widget: 'select',
      required: true,
      enumKey: 'sector',
      enum: [
        'public-administration',
        'defence',
        'law-enforcement',
        'finance',
        'health',
        'education',
        'employment',
        'transport',
        'energy',
        'telecommunications',
        'media',
        'retail',
        'agriculture',
        'maritime',
        'other',
      ],
    },
    {
      name: 'deployment_countries',
      kind: 'list',
      widget: 'countries',
      required: true,
      minItems: 1,
      uniqueItems: true,
      item: { name: 'deployment_countries', kind: 'string', pattern: COUNTRY, check: 'country', patternMessage: 'submit.err.country' },
      help: true,
    },
    { name: 'risk_tier', kind: 'enum', widget: 'radios', required: true, enumKey: 'risk_tier', enum: RISK_TIERS, help: true },
    {
      name: 'human_involvement',
      kind: 'enum',
      widget: 'radios',
      required: true,
      enumKey: 'human_involvement',
      enum: HUMAN_INVOLVEMENT,
    },
    {
      name: 'models',
      kind: 'list',
      widget: 'lines',
      maxItems: 64,
      item: { name: 'models', kind: 'string', minLength: 1, maxLength: 256 },
      help: true,
    },
    { name: 'contact', kind: 'string', maxLength: 256, help: true },
  ],

  assessment: [
    systemRef(true),
    { name: 'assessor', kind: 'string', maxLength: 256, help: true },
    {
      name: 'answers',
      kind: 'object',
      required: true,
      minProperties: 1,
      help: true,
      fields: PRINCIPLES.map(answer),
    },
    { name: 'risk_tier', kind: 'enum', widget: 'radios', required: true, enumKey: 'risk_tier', enum: RISK_TIERS },
    {
      name: 'recommended_human_involvement',
      kind: 'enum',
      widget: 'radios',
      required: true,
      enumKey: 'human_involvement',
      enum: HUMAN_INVOLVEMENT,
    },
  ],

  evaluation: [
    { name: 'model', kind: 'string', required: true, minLength: 1, maxLength: 256, help: true },
    { name: 'task', kind: 'string', required: true, minLength: 1, maxLength: 256, help: true },
    { name: 'framework', kind: 'enum', widget: 'select', enumKey: 'framework', enum: ['inspect', 'lm-evaluation-harness', 'other'] },
    { name: 'evaluated', kind: 'string', widget: 'date', pattern: DATE, check: 'date', patternMessage: 'submit.err.date' },
    { name: 'samples', kind: 'integer', required: true, minimum: 0, help: true },
    {
      name: 'metrics',
      kind: 'rows',
      required: true,
      minItems: 1,
      maxItems: 256,
      initialRows: 1,
      help: true,
      fields: [
        { name: 'name', kind: 'string', required: true, minLength: 1, maxLength: 128 },
        { name: 'value', kind: 'number', required: true },
        { name: 'stderr', kind: 'number', minimum: 0 },
      ],
    },
    { name: 'findings', kind: 'string', widget: 'textarea', help: true },
    { name: 'system', kind: 'string', pattern: RECORD_ID, patternMessage: 'submit.err.recordId', help: true },
  ],

  practice: [
    {
      name: 'kind',
      kind: 'enum',
      widget: 'radios',
      required: true,
      enumKey: 'practice',
      enum: ['safeguard', 'best-practice', 'lesson-learned', 'policy'],
    },
    {
      name: 'principles',
      kind: 'list',
      widget: 'checkboxes',
      required: true,
      minItems: 1,
      uniqueItems: true,
      item: { name: 'principles', kind: 'enum', enumKey: 'principle', enum: PRINCIPLES },
      help: true,
    },
    { name: 'description', kind: 'string', widget: 'textarea', required: true, minLength: 1, help: true },
    {
      name: 'sectors',
      kind: 'list',
      widget: 'csv',
      uniqueItems: true,
      item: { name: 'sectors', kind: 'string', minLength: 1, maxLength: 64 },
      help: true,
    },
    {
      name: 'references',
      kind: 'list',
      widget: 'lines',
      maxItems: 256,
      item: { name: 'references', kind: 'string', minLength: 1, maxLength: 2048 },
      help: true,
    },
  ],

  oversight: [
    {
      name: 'principal',
      kind: 'object',
      required: true,
      help: true,
      fields: [
        { name: 'name', kind: 'string', required: true, minLength: 1, maxLength: 256 },
        { name: 'role', kind: 'string', required: true, minLength: 1, maxLength: 256 },
        { name: 'authority', kind: 'string', required: true, minLength: 1, maxLength: 1024, help: true },
      ],
    },
    systemRef(true),
    {
      name: 'output',
      kind: 'object',
      required: true,
      help: true,
      fields: [
        { name: 'summary', kind: 'string', widget: 'textarea', required: true, minLength: 1 },
        { name: 'sha256', kind: 'string', pattern: SHA256, patternMessage: 'submit.err.sha256', help: true },
      ],
    },
    { name: 'decision', kind: 'enum', widget: 'radios', required: true, enumKey: 'decision', enum: ['approve', 'reject', 'modify', 'escalate'] },
    { name: 'rationale', kind: 'string', widget: 'textarea', required: true, minLength: 1, help: true },
    {
      name: 'decided',
      kind: 'string',
      widget: 'datetime',
      required: true,
      pattern: TIMESTAMP,
      check: 'timestamp',
      patternMessage: 'submit.err.timestamp',
      help: true,
    },
    {
      name: 'signature',
      kind: 'object',
      required: true,
      help: true,
      fields: [
        {
          name: 'key',
          kind: 'string',
          required: true,
          pattern: '^[^+\\s]+\\+[0-9a-f]{8}\\+[A-Za-z0-9+/]+=*$',
          patternMessage: 'submit.err.sigKey',
          help: true,
        },
        { name: 'sig', kind: 'string', required: true, pattern: '^[A-Za-z0-9+/]{86}==$', patternMessage: 'submit.err.sig', help: true },
      ],
    },
  ],
};

/** The label key of a field at a path of field names (no row indexes): submit.<scope>.<a>.<b>. */
export function labelKey(scope: RecordType | 'env', names: readonly string[], field: Field): string {
  if (field.label) return `submit.${field.label}`;
  return `submit.${scope}.${names.join('.')}`;
}

/** The field id used in the DOM (input name, id and error test id): path parts joined by "-". */
export function fieldId(path: readonly (string | number)[]): string {
  return path.join('-');
}

export function bodyFields(type: RecordType): readonly Field[] {
  return BODIES[type];
}

export function isRecordType(s: unknown): s is RecordType {
  return typeof s === 'string' && (RECORD_TYPES as readonly string[]).includes(s);
}
