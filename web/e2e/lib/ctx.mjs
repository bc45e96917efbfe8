// What every scenario file shares: the fixture, the browser, and checks
// written against the DOM contract of /tmp/web_api.md (docs: web/e2e/README.md).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { DESKTOP, launch, openPage, PHONE } from './browser.mjs';

export function loadFixture() {
  const f = process.env.AISAFE_E2E_FIXTURE;
  if (!f) throw new Error('AISAFE_E2E_FIXTURE is not set: run the tests through web/e2e/run.mjs');
  return JSON.parse(fs.readFileSync(f, 'utf8'));
}

// One browser per scenario file; every page opened through `session` is
// checked for problems (console, CSP, requests) when it closes.
export function useBrowser() {
  const fx = loadFixture();
  const state = { fx, browser: null, close: null };
  before(async () => {
    const b = await launch();
    state.browser = b.browser;
    state.close = b.close;
  });
  after(async () => {
    if (state.close) await state.close();
  });
  // Runs fn({page, monitor, context}) as role; fails with the monitor's list.
  state.session = async (role, fn, opts = {}) => {
    const s = await openPage(state.browser, fx, role, opts);
    let err = null;
    try {
      await fn(s);
    } catch (e) {
      err = e;
      await shot(s.page, fx, `FAILED-${role}-${Date.now()}`).catch(() => {});
    }
    const problems = s.monitor.take();
    await s.context.close().catch(() => {});
    if (err) {
      if (problems.length) err.message += `\nalso on the page:\n  ${problems.join('\n  ')}`;
      throw err;
    }
    assert.deepEqual(problems, [], `problems on the page as ${role}:\n  ${problems.join('\n  ')}`);
  };
  return state;
}

export const T = { short: 5_000, load: 15_000, proof: 20_000 };

export function pageUrl(fx, p) {
  return fx.url + p;
}

// A PNG of the page's current state into the artifacts directory.
export async function shot(page, fx, name) {
  const file = path.join(fx.artifacts, `${name.replace(/[^A-Za-z0-9._-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true, timeout: 10_000, animations: 'disabled' });
  return file;
}

// Phone and desktop screenshots: NAME-phone.png and NAME-desktop.png.
export async function shots(page, fx, name) {
  const vp = page.viewportSize();
  for (const [label, size] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    await page.setViewportSize(size);
    await settle(page);
    await shot(page, fx, `${name}-${label}`);
  }
  if (vp) await page.setViewportSize(vp);
}

// Two animation frames: layout after a resize or a render.
export async function settle(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

export async function gotoDashboard(page, fx) {
  await page.goto(pageUrl(fx, '/'));
  await page.waitForSelector('body[data-ready=dashboard]', { timeout: T.load });
}

// Types q into the search box char by char and waits for the results of q.
export async function search(page, fx, q, { navigate = true } = {}) {
  if (navigate) {
    await page.goto(pageUrl(fx, '/search'));
  }
  const box = page.locator('input[type=search][name=q]');
  await box.waitFor({ timeout: T.load });
  await box.fill('');
  await box.pressSequentially(q, { delay: 15 });
  await page.waitForFunction((want) => document.body.dataset.searchQuery === want, q, { timeout: T.load });
  return page.locator('[data-testid=search-hit]');
}

// ids of the records the search hits link to, in order.
export async function hitIds(page) {
  return page.$$eval('[data-testid=search-hit]', (hits) => hits.map((h) => {
    const a = h.querySelector('a[href^="/records/"]');
    return a ? a.getAttribute('href').replace(/^\/records\//, '').replace(/[?#].*$/, '') : null;
  }));
}

// The TLP labels and the text of the page (main and everything else).
export async function pageFacts(page) {
  return page.evaluate(() => ({
    tlps: [...document.querySelectorAll('.tlp[data-tlp]')].map((e) => e.getAttribute('data-tlp')),
    text: document.body.innerText,
    html: document.body.innerHTML,
  }));
}

// The page shows none of `records` (their titles) and no TLP label in
// `labels`. `where` names the page in the message.
export async function assertNoneShown(page, records, labels, where) {
  const { tlps, text } = await pageFacts(page);
  const badLabels = tlps.filter((t) => labels.includes(t));
  assert.deepEqual(badLabels, [], `${where}: TLP labels that must not be shown: ${badLabels.join(', ')}`);
  const shown = records.filter((r) => text.includes(r.title));
  assert.deepEqual(shown.map((r) => r.title), [], `${where}: titles of records that must not be shown`);
  // A title the page shortened: its first characters, unless another
  // (visible) record's title begins the same way.
  const others = loadFixture().records.filter((o) => !records.some((r) => r.id === o.id));
  const prefix = (t) => [...t].slice(0, 32).join('');
  const begun = records.filter((r) => [...r.title].length > 32 && !others.some((o) => prefix(o.title) === prefix(r.title)) &&
    text.includes(prefix(r.title)));
  assert.deepEqual(begun.map((r) => r.title), [], `${where}: the beginnings of titles of records that must not be shown`);
  const ids = records.filter((r) => text.includes(r.id) || false);
  assert.deepEqual(ids.map((r) => r.id), [], `${where}: ids of records that must not be shown`);
  const links = await page.$$eval('a[href^="/records/"]', (as) => as.map((a) => a.getAttribute('href')));
  const linked = records.filter((r) => links.some((h) => h.includes(r.id)));
  assert.deepEqual(linked.map((r) => r.title), [], `${where}: links to records that must not be shown`);
}

// Accessibility smoke checks: every form control has an accessible name;
// every img has alt (possibly empty) and every svg a title / label or is
// hidden from assistive technology; one <main id=main>; the Main nav.
export async function assertAccessible(page, where) {
  const r = await page.evaluate(() => {
    const out = { unnamed: [], images: [], mains: 0, nav: 0, lang: document.documentElement.lang };
    const snippet = (el) => el.outerHTML.slice(0, 160);
    const hiddenFromAT = (el) => !!el.closest('[aria-hidden=true]');
    const named = (el) => {
      if ((el.getAttribute('aria-label') || '').trim()) return true;
      const lb = el.getAttribute('aria-labelledby');
      if (lb && lb.split(/\s+/).some((id) => (document.getElementById(id)?.textContent || '').trim())) return true;
      if (el.labels && [...el.labels].some((l) => l.textContent.trim())) return true;
      if ((el.getAttribute('title') || '').trim()) return true;
      return false;
    };
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden' || hiddenFromAT(el)) continue;
      if (!named(el)) out.unnamed.push(snippet(el));
    }
    for (const img of document.querySelectorAll('img')) {
      if (!img.hasAttribute('alt') && !hiddenFromAT(img) && img.getAttribute('role') !== 'presentation') out.images.push(snippet(img));
    }
    for (const svg of document.querySelectorAll('svg')) {
      if (hiddenFromAT(svg) || svg.parentElement?.closest('svg')) continue;
      const t = svg.querySelector(':scope > title');
      if (t && t.textContent.trim()) continue;
      if (named(svg)) continue;
      if (svg.getAttribute('role') === 'presentation' || svg.getAttribute('role') === 'none') continue;
      out.images.push(snippet(svg));
    }
    out.mains = document.querySelectorAll('main#main').length;
    out.nav = document.querySelectorAll('nav[aria-label="Main"]').length;
    return out;
  });
  assert.deepEqual(r.unnamed, [], `${where}: form controls without an accessible name`);
  assert.deepEqual(r.images, [], `${where}: images/svg without alt/title and not aria-hidden`);
  assert.equal(r.mains, 1, `${where}: exactly one <main id="main">`);
  assert.equal(r.nav, 1, `${where}: one <nav aria-label="Main">`);
  assert.ok(r.lang, `${where}: <html lang> is set`);
}

// Keyboard: Tab from the top reaches the skip link first, then the Main
// nav; the skip link moves focus into <main>. Reloads the page first (and
// between the two checks): Tab continues from where focus last was.
export async function assertKeyboard(page, where) {
  const fresh = async () => {
    await page.reload();
    await page.locator('nav[aria-label="Main"] a[href]').first().waitFor({ timeout: T.load });
    await page.locator('main#main').waitFor({ timeout: T.load });
    await settle(page);
  };
  const path = new URL(page.url()).pathname;
  await fresh();
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => {
    const a = document.activeElement;
    return { tag: a?.tagName, href: a?.getAttribute('href'), text: (a?.textContent || '').trim() };
  });
  assert.equal(first.tag, 'A', `${where}: the first Tab focuses the skip link, got ${JSON.stringify(first)}`);
  assert.match(first.href || '', /#main$/, `${where}: the skip link points at #main, got ${JSON.stringify(first)}`);
  let reachedNav = false;
  for (let i = 0; i < 25 && !reachedNav; i++) {
    await page.keyboard.press('Tab');
    reachedNav = await page.evaluate(() => !!document.activeElement?.closest('nav[aria-label="Main"]'));
  }
  assert.ok(reachedNav, `${where}: Tab reaches the Main nav within 25 presses`);
  await fresh();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => {
    const m = document.getElementById('main');
    return m && (document.activeElement === m || m.contains(document.activeElement));
  }, null, { timeout: T.short }).catch(() => {});
  const r = await page.evaluate(() => {
    const m = document.getElementById('main');
    return { inMain: !!m && (document.activeElement === m || m.contains(document.activeElement)), path: location.pathname };
  });
  assert.ok(r.inMain, `${where}: Enter on the skip link moves focus into <main id="main">`);
  assert.equal(r.path, path, `${where}: the skip link stays on the page`);
}

export async function whoami(page) {
  const w = page.locator('[data-testid=whoami]');
  await w.waitFor({ timeout: T.load });
  return (await w.innerText()).trim();
}

// hrefs of the Main nav's links (paths only).
export async function navPaths(page) {
  return page.$$eval('nav[aria-label="Main"] a[href]', (as) => as.map((a) => new URL(a.href, location.href).pathname));
}

// Fills a form control by name whatever it is: select (one or many),
// checkbox or radio group, date/text input, textarea.
export async function fillField(page, scope, name, value) {
  const els = scope.locator(`[name="${name}"]`);
  const n = await els.count();
  assert.ok(n > 0, `the form has a control named "${name}"`);
  const first = els.first();
  const kind = await first.evaluate((el) => ({ tag: el.tagName, type: el.type, multiple: !!el.multiple }));
  const values = Array.isArray(value) ? value : [value];
  if (kind.tag === 'SELECT') {
    await first.selectOption(kind.multiple ? values : values[0]);
  } else if (kind.type === 'checkbox' || kind.type === 'radio') {
    for (let i = 0; i < n; i++) {
      const el = els.nth(i);
      const v = await el.getAttribute('value');
      if (values.includes(v)) await el.check();
      else if (kind.type === 'checkbox' && (await el.isChecked())) await el.uncheck();
    }
  } else {
    await first.fill(values.join(kind.tag === 'TEXTAREA' ? '\n' : ', '));
  }
}

// Opens /records/ID of a record the caller may not see: waits for the
// node's 404 and for the page to render what it makes of it.
export async function openHidden(page, fx, id) {
  const answered = page.waitForResponse((r) => r.url().includes(`/v1/records/${id}`) && r.status() === 404, { timeout: T.load });
  await page.goto(pageUrl(fx, `/records/${id}`));
  await answered;
  await page.locator('main#main').waitFor({ timeout: T.load });
  await page.waitForTimeout(300);
  await settle(page);
}
