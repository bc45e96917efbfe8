import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, getJSON, getToken, onUnauthorized, parseProblem, query, setToken } from '../src/lib/api';

describe('parseProblem', () => {
  it('reads an RFC 9457 problem with field errors', () => {
    const p = parseProblem(
      400,
      'Bad Request',
      JSON.stringify({
        type: 'about:blank',
        title: 'Invalid record',
        status: 400,
        detail: 'the record does not match its schema',
        errors: [{ pointer: '/body/severity', detail: 'must be one of low, moderate, high, critical' }, { parameter: 'q', detail: 'unbalanced quote' }, { line: 3, detail: 'x' }, 'junk'],
      }),
    );
    expect(p).toEqual({
      type: 'about:blank',
      title: 'Invalid record',
      status: 400,
      detail: 'the record does not match its schema',
      errors: [
        { pointer: '/body/severity', detail: 'must be one of low, moderate, high, critical' },
        { parameter: 'q', detail: 'unbalanced quote' },
        { line: 3, detail: 'x' },
      ],
    });
  });

  it('falls back for non-JSON and partial bodies', () => {
    expect(parseProblem(502, 'Bad Gateway', '<html>oops</html>')).toEqual({ title: 'Bad Gateway', status: 502, detail: '<html>oops</html>' });
    expect(parseProblem(500, '', '')).toEqual({ title: 'HTTP 500', status: 500 });
    expect(parseProblem(404, 'Not Found', '{"detail":"no such record"}')).toEqual({ title: 'Not Found', status: 404, detail: 'no such record' });
    expect(parseProblem(400, 'Bad Request', '[1,2]')).toMatchObject({ title: 'Bad Request', status: 400 });
  });
});

describe('query', () => {
  it('skips empty values and repeats arrays', () => {
    expect(query({ q: 'lừa đảo', type: ['incident', 'practice'], limit: 10, x: '', y: undefined, z: null, facets: true })).toBe(
      '?q=l%E1%BB%ABa+%C4%91%E1%BA%A3o&type=incident&type=practice&limit=10&facets=true',
    );
    expect(query({})).toBe('');
  });
});

describe('request', () => {
  const store = new Map<string, string>();
  beforeEach(() => {
    store.clear();
    vi.stubGlobal('sessionStorage', {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => store.set(k, v),
      removeItem: (k: string) => store.delete(k),
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('sends the token and parses JSON', async () => {
    setToken('aisafe_abc');
    const fetch = vi.fn(async () => new Response('{"role":"analyst"}', { status: 200 }));
    vi.stubGlobal('fetch', fetch);
    expect(await getJSON('/v1/me')).toEqual({ role: 'analyst' });
    const init = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect((init[1].headers as Record<string, string>).Authorization).toBe('Bearer aisafe_abc');
  });

  it('turns errors into ApiError; a 401 clears the token and tells the app once', async () => {
    setToken('aisafe_old');
    const seen = vi.fn();
    onUnauthorized(seen);
    vi.stubGlobal('fetch', vi.fn(async () => new Response('{"title":"Unauthorized","status":401}', { status: 401 })));
    const err = await getJSON('/v1/stats').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect(getToken()).toBeNull();
    expect(seen).toHaveBeenCalledTimes(1);
    // without a token, a 401 is not a session ending
    await getJSON('/v1/stats').catch(() => undefined);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it('does not end the session when checking another token (sign-in)', async () => {
    setToken('aisafe_keep');
    const seen = vi.fn();
    onUnauthorized(seen);
    vi.stubGlobal('fetch', vi.fn(async () => new Response('', { status: 401, statusText: 'Unauthorized' })));
    await expect(getJSON('/v1/me', { token: 'aisafe_wrong', no401: true })).rejects.toMatchObject({ status: 401 });
    expect(getToken()).toBe('aisafe_keep');
    expect(seen).not.toHaveBeenCalled();
  });
});
