// Debian's Chromium through playwright-core, kept off the network, and a
// watch over every page: console errors, page errors, CSP violations,
// failed requests, HTTP errors and requests to any other host.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_DIR = path.resolve(here, '..', '..');

// playwright-core is a devDependency of web/ (web/package.json).
export function loadPlaywright() {
  const require = createRequire(path.join(WEB_DIR, 'package.json'));
  try {
    return require('playwright-core');
  } catch (e) {
    throw new Error(`playwright-core is not installed under ${WEB_DIR}/node_modules (npm ci in web/): ${e.message}`);
  }
}

export const CHROMIUM = process.env.AISAFE_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1366, height: 900 };

// A fresh browser: playwright-core gives every launch a new temporary
// user-data dir (removed when the browser closes), so no state carries over.
export async function launch() {
  const { chromium } = loadPlaywright();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
  const close = async () => {
    try { await browser.close(); } catch { /* already gone */ }
  };
  return { browser, close };
}

// Collects what went wrong on a page. Expected failures are declared with
// expect({status, url}) before the action that causes them.
export class Monitor {
  constructor(page, nodeUrl) {
    this.page = page;
    this.origin = new URL(nodeUrl).origin;
    this.problems = [];
    this.expected = [];
    this.requests = [];
    page.on('console', (msg) => {
      if (msg.type() !== 'error' && msg.type() !== 'assert') return;
      const text = msg.text();
      const url = msg.location()?.url || '';
      const m = /status of (\d{3})/.exec(text);
      if (m && this.isExpected(Number(m[1]), url)) return;
      this.problems.push(`console.${msg.type()}: ${text}${url ? ` (${url})` : ''}`);
    });
    page.on('pageerror', (err) => this.problems.push(`pageerror: ${err.message}`));
    page.on('request', (req) => {
      const u = req.url();
      this.requests.push({ method: req.method(), url: u });
      if (/^(data|blob|about):/.test(u)) return;
      let origin;
      try { origin = new URL(u).origin; } catch { origin = u; }
      if (origin !== this.origin) this.problems.push(`request to another host: ${req.method()} ${u}`);
    });
    page.on('requestfailed', (req) => {
      const err = req.failure()?.errorText || '';
      // A fetch the app cancels itself (search as you type, navigation away).
      if (err === 'net::ERR_ABORTED' && ['fetch', 'xhr'].includes(req.resourceType())) return;
      this.problems.push(`request failed: ${req.method()} ${req.url()}: ${err}`);
    });
    page.on('response', (res) => {
      const s = res.status();
      if (s >= 400 && !this.isExpected(s, res.url())) {
        this.problems.push(`HTTP ${s}: ${res.request().method()} ${res.url()}`);
      }
    });
  }

  // CSP violations reported by the page itself (console errors carry them
  // too; this catches those the console does not show).
  async installCspListener() {
    await this.page.exposeBinding('__aisafeCsp', (_src, v) => {
      this.problems.push(`CSP violation: ${v.directive} blocked ${v.blocked} at ${v.source}`);
    });
    await this.page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__aisafeCsp({ directive: e.violatedDirective, blocked: e.blockedURI, source: `${e.sourceFile}:${e.lineNumber}` });
      });
    });
  }

  expect(status, url) {
    this.expected.push({ status, url });
  }

  isExpected(status, url) {
    return this.expected.some((e) => e.status === status && (e.url instanceof RegExp ? e.url.test(url) : url.includes(e.url)));
  }

  take() {
    const p = this.problems;
    this.problems = [];
    return p;
  }
}

// A page for a role: the token is put in sessionStorage (the app's
// `aisafe.token`) before any script of the page runs.
export async function openPage(browser, fx, role, { viewport = DESKTOP, locale = 'en-US' } = {}) {
  const context = await browser.newContext({ viewport, locale, timezoneId: 'Asia/Kuala_Lumpur', serviceWorkers: 'block' });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  const token = role === 'public' ? null : fx.tokens[role];
  if (token) {
    await context.addInitScript((t) => {
      try { if (!sessionStorage.getItem('aisafe.token')) sessionStorage.setItem('aisafe.token', t); } catch { /* opaque origin */ }
    }, token);
  }
  const page = await context.newPage();
  const monitor = new Monitor(page, fx.url);
  await monitor.installCspListener();
  return { context, page, monitor };
}
