// The node's HTTP API. Every call carries the session's token (if any); errors
// are RFC 9457 problem+json and become ApiError. A 401 clears the token and
// tells the application (onUnauthorized), which shows the sign-in page.

export interface ProblemError {
  pointer?: string;
  parameter?: string;
  line?: number;
  detail: string;
}

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  errors?: ProblemError[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }
}

/** Reads a problem document from an error response's text; anything else becomes a generic problem. */
export function parseProblem(status: number, statusText: string, body: string): Problem {
  try {
    const j: unknown = JSON.parse(body);
    if (j && typeof j === 'object' && !Array.isArray(j)) {
      const o = j as Record<string, unknown>;
      const errors = Array.isArray(o.errors)
        ? o.errors
            .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
            .map((e) => {
              const pe: ProblemError = { detail: typeof e.detail === 'string' ? e.detail : '' };
              if (typeof e.pointer === 'string') pe.pointer = e.pointer;
              if (typeof e.parameter === 'string') pe.parameter = e.parameter;
              if (typeof e.line === 'number') pe.line = e.line;
              return pe;
            })
        : undefined;
      const p: Problem = {
        title: typeof o.title === 'string' ? o.title : statusText || `HTTP ${status}`,
        status: typeof o.status === 'number' ? o.status : status,
      };
      if (typeof o.type === 'string') p.type = o.type;
      if (typeof o.detail === 'string') p.detail = o.detail;
      if (errors) p.errors = errors;
      return p;
    }
  } catch {
    /* not JSON */
  }
  const text = body.trim();
  return { title: statusText || `HTTP ${status}`, status, ...(text && text.length < 500 ? { detail: text } : {}) };
}

// --- token ---------------------------------------------------------------------

const TOKEN_KEY = 'aisafe.token';
let unauthorized: (() => void) | null = null;

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* ignore */
  }
}

/** Called (once per 401) after the token was cleared. */
export function onUnauthorized(f: () => void): void {
  unauthorized = f;
}

// --- requests --------------------------------------------------------------------

export interface RequestOptions {
  method?: string;
  body?: BodyInit | null;
  contentType?: string;
  signal?: AbortSignal;
  /** Use this token instead of the session's (sign-in checks a token before keeping it). */
  token?: string | null;
  /** Do not treat a 401 as the session ending (sign-in page). */
  no401?: boolean;
  accept?: string;
}

export async function request(path: string, o: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: o.accept ?? 'application/json' };
  const token = o.token !== undefined ? o.token : getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (o.contentType) headers['Content-Type'] = o.contentType;
  const res = await fetch(path, {
    method: o.method ?? 'GET',
    headers,
    body: o.body ?? null,
    signal: o.signal ?? null,
    credentials: 'omit',
    cache: 'no-store',
  });
  if (!res.ok) {
    const body = await res.text().catch(() => '');
    const problem = parseProblem(res.status, res.statusText, body);
    if (res.status === 401 && !o.no401 && token && o.token === undefined) {
      setToken(null);
      unauthorized?.();
    }
    throw new ApiError(problem);
  }
  return res;
}

export async function getJSON<T>(path: string, o: RequestOptions = {}): Promise<T> {
  const res = await request(path, o);
  return (await res.json()) as T;
}

export async function sendJSON<T>(method: string, path: string, body: unknown, o: RequestOptions = {}): Promise<T | null> {
  const res = await request(path, { ...o, method, body: JSON.stringify(body), contentType: 'application/json' });
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? (JSON.parse(text) as T) : null;
}

/** Builds a query string from parameters, skipping empty ones; arrays repeat the name. */
export function query(params: Record<string, string | number | boolean | undefined | null | readonly string[]>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const x of v) u.append(k, x);
    else u.append(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

// --- the API's shapes --------------------------------------------------------------

export type Role = 'public' | 'contributor' | 'analyst' | 'admin';
export type Tlp = 'clear' | 'green' | 'amber' | 'amber+strict' | 'red';

export interface Me {
  name: string | null;
  role: Role;
  node: string;
  country: string;
}

export interface NodeInfo {
  name: string;
  country: string;
  key: string;
  log_size: number;
  checkpoint: string | null;
}

export interface RecordDoc {
  type: string;
  origin: string;
  author?: string;
  created: string;
  tlp: Tlp;
  audience?: string[];
  lang: string;
  countries?: string[];
  title: string;
  summary?: string;
  supersedes?: string;
  related?: string[];
  nonce: string;
  body: Record<string, unknown>;
  [k: string]: unknown;
}

export interface RecordList {
  records: { id: string; record: RecordDoc }[];
  next_cursor: string | null;
}

export interface Stats {
  as_of: string;
  log_size: number;
  checkpoint: { size: number; root: string; note: string } | null;
  total: number;
  week: { from: string; total: number; by_type: Record<string, number>; by_country: Record<string, number> };
  incidents_by_country: Record<string, number>;
  days: { day: string; by_type: Record<string, number> }[];
}

export interface Peer {
  name: string;
  url: string;
  cursor: number | string | null;
  received: number;
  rejected: number;
  last_error: string | null;
  last_sync: string | null;
}

export interface Witnessed {
  origin: string;
  size: number;
  checkpoint: string;
  updated: string;
}

export interface SplitView {
  id: string | number;
  origin: string;
  reason: string;
  source: string;
  first: string;
  second: string;
  raised: string;
  cleared: string | null;
}

export interface FederationStatus {
  node: string;
  peers: Peer[];
  witnessed: Witnessed[];
  split_views: SplitView[];
}

export interface SearchHit {
  id: string;
  type: string;
  tlp: Tlp;
  origin: string;
  lang: string;
  title: string;
  created: string;
  countries: string[];
  snippet: string;
  snippet_html: string;
}

export interface SearchResult {
  total: number;
  total_exact: boolean;
  offset: number;
  limit: number;
  next_offset?: number;
  hits: SearchHit[];
  facets?: Record<string, Record<string, number>>;
}

export interface Proof {
  index: number;
  tree_size: number;
  proof: string[];
  checkpoint: string;
}

export interface Principal {
  name: string;
  role: Role;
  created: string;
}

export interface TokenInfo {
  id: string;
  principal: string;
  created: string;
  expires: string | null;
  revoked: string | null;
}

export interface NewToken {
  id: string;
  token: string;
  principal: string;
  created: string;
  expires: string | null;
}
