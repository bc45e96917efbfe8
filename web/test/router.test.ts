import { describe, expect, it } from 'vitest';
import { isServerPath, matchRoute, routedHref } from '../src/lib/router';

const ID = 'ab'.repeat(32);

describe('matchRoute', () => {
  it('matches the application pages', () => {
    expect(matchRoute('/')).toEqual({ name: 'dashboard' });
    expect(matchRoute('/search')).toEqual({ name: 'search' });
    expect(matchRoute('/search/')).toEqual({ name: 'search' });
    expect(matchRoute('/submit')).toEqual({ name: 'submit' });
    expect(matchRoute('/network')).toEqual({ name: 'network' });
    expect(matchRoute('/admin')).toEqual({ name: 'admin' });
    expect(matchRoute('/signin')).toEqual({ name: 'signin' });
    expect(matchRoute(`/records/${ID}`)).toEqual({ name: 'record', id: ID });
  });

  it('rejects malformed record ids and unknown paths', () => {
    expect(matchRoute(`/records/${ID.toUpperCase()}`).name).toBe('notfound');
    expect(matchRoute(`/records/${ID}0`).name).toBe('notfound');
    expect(matchRoute('/records/abc').name).toBe('notfound');
    expect(matchRoute('/searchx').name).toBe('notfound');
    expect(matchRoute('/v1/records').name).toBe('notfound');
  });
});

describe('link interception', () => {
  const here = { origin: 'http://n.example', pathname: '/', search: '' };
  const click = { button: 0, metaKey: false, ctrlKey: false, shiftKey: false, altKey: false, defaultPrevented: false };
  const a = (href: string, attrs: Record<string, string> = {}) => {
    const u = new URL(href, 'http://n.example/');
    return { href: u.href, origin: u.origin, target: attrs.target ?? '', hasAttribute: (n: string) => n in attrs };
  };

  it('routes same-origin application links', () => {
    expect(routedHref(a('/search?q=x'), click, here)).toBe('/search?q=x');
    expect(routedHref(a(`/records/${ID}`), click, here)).toBe(`/records/${ID}`);
  });

  it('leaves API paths, other origins, downloads, new tabs and modified clicks to the browser', () => {
    expect(routedHref(a(`/v1/records/${ID}`), click, here)).toBeNull();
    expect(routedHref(a('/log/checkpoint'), click, here)).toBeNull();
    expect(routedHref(a('https://other.example/search'), click, here)).toBeNull();
    expect(routedHref(a('/search', { download: '' }), click, here)).toBeNull();
    expect(routedHref(a('/search', { target: '_blank' }), click, here)).toBeNull();
    expect(routedHref(a('/search'), { ...click, ctrlKey: true }, here)).toBeNull();
    expect(routedHref(a('/search'), { ...click, button: 1 }, here)).toBeNull();
    expect(routedHref(a('/nowhere'), click, here)).toBeNull();
    expect(routedHref(a('/#main'), click, here)).toBeNull(); // in-page anchor (skip link)
  });

  it('knows the server paths', () => {
    expect(isServerPath('/v1/search')).toBe(true);
    expect(isServerPath('/assets/index-abc.js')).toBe(true);
    expect(isServerPath('/healthz')).toBe(true);
    expect(isServerPath('/v1x')).toBe(false);
    expect(isServerPath('/search')).toBe(false);
  });
});
