// As a contributor (alice): never an amber (or red) record anywhere — the
// dashboard, search and its facets, the newest list, record pages by
// direct URL, the network page; searches in Vietnamese and Thai; a report
// submitted through the form and opened; an invalid one rejected in place
// by the client (empty title) and by the server (a `supersedes` naming
// another origin's record: only the node knows it).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertAccessible, assertNoneShown, fillField, gotoDashboard, hitIds, navPaths, openHidden, pageUrl, search,
  shots, T, useBrowser, whoami,
} from './lib/ctx.mjs';

const ctx = useBrowser();
const fx = ctx.fx;
const hidden = fx.hiddenFromContributor;
const HIDDEN_LABELS = ['amber', 'amber+strict', 'red'];
const viClear = fx.records.find((r) => r.lang === 'vi' && r.tlp === 'clear' && r.origin === fx.nodeB);
const viAmber = fx.amber.find((r) => r.lang === 'vi' && r.type === 'incident');

describe('contributor', () => {
  test('dashboard: signed in, no amber anywhere', async () => {
    await ctx.session('contributor', async ({ page }) => {
      await gotoDashboard(page, fx);
      const who = await whoami(page);
      assert.match(who, new RegExp(fx.principals.contributor), `whoami names alice: ${who}`);
      assert.match(who, /contributor/i, `whoami names the role: ${who}`);
      const nav = await navPaths(page);
      assert.ok(nav.includes('/network'), `the nav links to /network when signed in: ${nav}`);
      assert.ok(!nav.includes('/admin'), 'no /admin link for a contributor');
      await page.locator('[data-testid=peers]').waitFor({ timeout: T.short });
      // green is visible to a contributor: the dashboard counts it.
      await assertNoneShown(page, hidden, HIDDEN_LABELS, 'contributor dashboard');
      await assertAccessible(page, 'contributor dashboard');
      await shots(page, fx, 'contributor-dashboard');
    });
  });

  test('search: Vietnamese with and without diacritics, no amber hit, no amber facet', async () => {
    await ctx.session('contributor', async ({ page }) => {
      for (const q of ['lừa đảo', 'lua dao']) {
        await search(page, fx, q);
        const ids = await hitIds(page);
        assert.ok(ids.includes(viClear.id), `"${q}" finds the clear Vietnamese record`);
        assert.ok(!ids.includes(viAmber.id), `"${q}" does not find the amber Vietnamese record`);
        assert.ok(await page.locator('[data-testid=search-hit] mark').count() > 0, `"${q}": <mark> in snippets`);
        await assertNoneShown(page, hidden, HIDDEN_LABELS, `contributor search "${q}"`);
      }
      await shots(page, fx, 'contributor-search-vietnamese');
      // Thai: the clear and the (hidden) amber ATR record share words.
      await search(page, fx, 'ระบบ');
      await assertNoneShown(page, hidden, HIDDEN_LABELS, 'contributor search "ระบบ"');
      // Words of the hidden records' titles, and broad words.
      for (const q of ['ATR', 'AI', 'model', 'Drone', 'exfiltration', 'Telehealth']) {
        await search(page, fx, q);
        await page.locator('[data-testid=search-total]').waitFor({ timeout: T.short });
        await assertNoneShown(page, hidden, HIDDEN_LABELS, `contributor search "${q}"`);
        // The facets come in their own request; check them once counted.
        await page.locator('[data-testid=facets][aria-busy=false]').waitFor({ timeout: T.short });
        const facetTlp = await page.$$eval('[data-testid=facets] input[type=checkbox][name=tlp]', (es) => es.map((e) => e.value));
        assert.deepEqual(facetTlp.filter((v) => HIDDEN_LABELS.includes(v)), [], `"${q}": the tlp facet has no amber/red`);
        const facetText = await page.locator('[data-testid=facets]').innerText().catch(() => '');
        assert.doesNotMatch(facetText, /amber|\bred\b/i, `"${q}": the facets name no amber/red`);
      }
      await shots(page, fx, 'contributor-search-facets');
      // Every page of a broad query.
      await search(page, fx, 'AI');
      for (let i = 0; i < 10; i++) {
        const next = page.locator('button[data-testid=next-page]');
        if (!(await next.count()) || !(await next.isEnabled())) break;
        const before = JSON.stringify(await hitIds(page));
        await next.click();
        await page.waitForFunction((b) => JSON.stringify([...document.querySelectorAll('[data-testid=search-hit] a[href^="/records/"]')]
          .map((a) => a.getAttribute('href').replace(/^\/records\//, ''))) !== b, before, { timeout: T.load });
        await assertNoneShown(page, hidden, HIDDEN_LABELS, `contributor search "AI" page ${i + 2}`);
      }
    });
  });

  test('record pages of amber and red records are not found', async () => {
    await ctx.session('contributor', async ({ page, monitor }) => {
      for (const r of hidden) {
        monitor.expect(404, `/v1/records/${r.id}`);
        await openHidden(page, fx, r.id);
        await assertNoneShown(page, hidden, HIDDEN_LABELS, `contributor /records/${r.id} (${r.tlp})`);
        assert.equal(await page.locator('[data-testid=proof-status][data-state=verified]').count(), 0,
          `no verified proof for a hidden record ${r.id}`);
      }
      await shots(page, fx, 'contributor-record-hidden');
      // A green one is visible, its proof verified.
      const green = fx.green.find((r) => r.origin === fx.nodeA);
      await page.goto(pageUrl(fx, `/records/${green.id}`));
      await page.locator('h1').filter({ hasText: green.title.slice(0, 25) }).waitFor({ timeout: T.load });
      await page.locator('[data-testid=proof-status][data-state=verified]').waitFor({ timeout: T.proof });
      assert.ok(await page.locator('main .tlp[data-tlp=green]').count() > 0, 'TLP:GREEN label on a green record');
      await assertNoneShown(page, hidden, HIDDEN_LABELS, 'contributor green record');
      await shots(page, fx, 'contributor-record');
    });
  });

  test('network: the synced peer, nothing amber', async () => {
    await ctx.session('contributor', async ({ page }) => {
      await page.goto(pageUrl(fx, '/network'));
      const row = page.locator('[data-testid=peer-row]').filter({ hasText: fx.nodeB });
      await row.first().waitFor({ timeout: T.load });
      const text = await row.first().innerText();
      assert.ok(text.includes(fx.urlB.replace(/^https?:\/\//, '')) || text.includes(fx.urlB), `the peer row shows its URL: ${text}`);
      // Every signed-in role is warned of the forked log (the fixture's TH-ETDA).
      const alert = page.locator('[role=alert][data-testid=split-view-alert]');
      assert.equal(await alert.count(), 1, 'the split-view alert is shown to a contributor too');
      assert.match(await alert.innerText(), new RegExp(fx.nodeC));
      await assertNoneShown(page, hidden, HIDDEN_LABELS, 'contributor network');
      await assertAccessible(page, 'contributor network');
      await shots(page, fx, 'contributor-network');
    });
  });

  test('submit: client-side error in place, server-side error in place, then a report stored and opened', async () => {
    await ctx.session('contributor', async ({ page, monitor }) => {
      await page.goto(pageUrl(fx, '/submit'));
      const form = page.locator('form[data-testid=submit-form]');
      await form.waitFor({ timeout: T.load });
      await page.locator('select[name=type]').selectOption('incident');
      const tlps = await form.locator('[name=tlp]').evaluateAll((es) => es.flatMap((e) =>
        e.tagName === 'SELECT' ? [...e.options].map((o) => o.value) : [e.value]));
      assert.deepEqual(tlps.filter((t) => HIDDEN_LABELS.includes(t)), [], `a contributor is offered clear/green only: ${tlps}`);
      await assertAccessible(page, 'contributor submit');
      await shots(page, fx, 'contributor-submit');

      const title = `E2E report ${Date.now()}: chatbot gave a wrong ORS dose`;
      const fill = async () => {
        await fillField(page, form, 'title', title);
        await fillField(page, form, 'summary', 'A public health chatbot told parents a wrong dose.');
        await fillField(page, form, 'tlp', 'green');
        await fillField(page, form, 'lang', 'en');
        await fillField(page, form, 'countries', ['MY']);
        await fillField(page, form, 'occurred', '2026-11-20');
        await fillField(page, form, 'domain', 'health');
        await fillField(page, form, 'severity', 'moderate');
        await fillField(page, form, 'harm_categories', ['misinformation']);
        await fillField(page, form, 'description', 'The chatbot said one sachet per glass instead of per litre.');
      };
      await fill();

      // Client side: an empty title, nothing sent.
      await fillField(page, form, 'title', '');
      const posts = () => monitor.requests.filter((r) => r.method === 'POST' && r.url.includes('/v1/records')).length;
      const before = posts();
      await form.locator('button[type=submit]').click();
      const errTitle = page.locator('[data-testid=error-title]');
      await errTitle.waitFor({ state: 'visible', timeout: T.short });
      assert.ok((await errTitle.innerText()).trim(), 'the title error says something');
      const described = await page.locator('[name=title]').getAttribute('aria-describedby');
      const errId = await errTitle.getAttribute('id');
      assert.ok(described && errId && described.split(/\s+/).includes(errId), 'the title input is aria-describedby its error');
      await page.waitForTimeout(200);
      assert.equal(posts(), before, 'an invalid form sends nothing');
      await shots(page, fx, 'contributor-submit-client-error');

      // Server side: supersedes naming the peer's record (the node holds it,
      // but a record may only supersede its own origin's): 400 /supersedes.
      await fillField(page, form, 'title', title);
      await fillField(page, form, 'supersedes', viClear.id);
      monitor.expect(400, /\/v1\/records$/);
      const answered = page.waitForResponse((r) => r.url().endsWith('/v1/records') && r.request().method() === 'POST', { timeout: T.load });
      await form.locator('button[type=submit]').click();
      assert.equal((await answered).status(), 400, 'the node refuses the record');
      const errSup = page.locator('[data-testid=error-supersedes]');
      await errSup.waitFor({ state: 'visible', timeout: T.short });
      assert.match(await errSup.innerText(), /origin|hold/i, 'the node\'s message is shown at the supersedes field');
      assert.equal(await page.locator('[data-testid=submit-result]').count(), 0, 'no success panel');
      await shots(page, fx, 'contributor-submit-server-error');

      // Valid: stored, the success panel links to it, the record opens.
      await fillField(page, form, 'supersedes', '');
      const created = page.waitForResponse((r) => r.url().endsWith('/v1/records') && r.request().method() === 'POST', { timeout: T.load });
      await form.locator('button[type=submit]').click();
      assert.equal((await created).status(), 201, 'the node stores the record');
      const result = page.locator('[data-testid=submit-result]');
      await result.waitFor({ timeout: T.load });
      await shots(page, fx, 'contributor-submit-result');
      const link = result.locator('a[href^="/records/"]').first();
      const href = await link.getAttribute('href');
      assert.match(href, /^\/records\/[0-9a-f]{64}$/, `the success panel links to the record: ${href}`);
      await link.click();
      await page.locator('h1').filter({ hasText: title }).waitFor({ timeout: T.load });
      await page.locator('[data-testid=proof-status][data-state=verified]').waitFor({ timeout: 30_000 });
      await shots(page, fx, 'contributor-submitted-record');
    });
  });
});
