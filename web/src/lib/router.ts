// A small History API router: routes are matched from the path, same-origin
// <a> clicks on application paths are intercepted, popstate re-renders.
import { Notifier, useNotifier } from './notify';

export type Route =
  | { name: 'dashboard' }
  | { name: 'search' }
  | { name: 'record'; id: string }
  | { name: 'submit' }
  | { name: 'network' }
  | { name: 'admin' }
  | { name: 'signin' }
  | { name: 'notfound' };

const STATIC: Record<string, Route['name']> = {
  '/': 'dashboard',
  '/search': 'search',
  '/submit': 'submit',
  '/network': 'network',
  '/admin': 'admin',
  '/signin': 'signin',
};

export function matchRoute(pathname: string): Route {
  const p = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const name = STATIC[p];
  if (name) return { name } as Route;
  const m = /^\/records\/([0-9a-f]{64})$/.exec(p);
  if (m) return { name: 'record', id: m[1] };
  return { name: 'notfound' };
}

/** Paths the server answers itself (API, log, assets): never routed in the page. */
export function isServerPath(pathname: string): boolean {
  return /^\/(v1|log|assets|healthz)(\/|$)/.test(pathname);
}

const changes = new Notifier();

function notify(): void {
  changes.notify();
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = new URL(to, location.href);
  const same = url.pathname === location.pathname && url.search === location.search && url.hash === location.hash;
  if (opts.replace) history.replaceState(null, '', url.pathname + url.search + url.hash);
  else if (!same) history.pushState(null, '', url.pathname + url.search + url.hash);
  notify();
  if (!opts.replace && url.pathname !== location.pathname) window.scrollTo(0, 0);
}

/** Decides whether a click on a link is the router's to handle; returns the target path or null. */
export function routedHref(
  a: { href: string; target: string; hasAttribute(n: string): boolean; origin: string },
  ev: { button: number; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; altKey: boolean; defaultPrevented: boolean },
  current: { origin: string; pathname: string; search: string },
): string | null {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return null;
  if ((a.target && a.target !== '_self') || a.hasAttribute('download') || a.hasAttribute('data-native')) return null;
  if (a.origin !== current.origin) return null;
  const url = new URL(a.href);
  if (isServerPath(url.pathname)) return null;
  if (matchRoute(url.pathname).name === 'notfound') return null;
  if (url.hash && url.pathname === current.pathname && url.search === current.search) return null; // in-page anchor
  return url.pathname + url.search + url.hash;
}

let installed = false;

export function installRouter(): void {
  if (installed) return;
  installed = true;
  document.addEventListener('click', (ev) => {
    const a = (ev.target as Element | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
    if (!a) return;
    const to = routedHref(a, ev, location);
    if (to === null) return;
    ev.preventDefault();
    navigate(to);
  });
  window.addEventListener('popstate', notify);
}

export interface Location {
  pathname: string;
  search: string;
}

export function useLocation(): Location {
  useNotifier(changes);
  return { pathname: location.pathname, search: location.search };
}
