// As the public (no token): dashboard, search in Thai and Vietnamese, a
// record with its proof verified, only TLP:CLEAR anywhere, sign-in (a bad
// token, a good one, the #token= link, sign out), the submit portal's
// language switch, accessibility smoke checks, screenshots.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertAccessible, assertKeyboard, openHidden, assertNoneShown, gotoDashboard, hitIds, navPaths, pageUrl, search,
  shots, T, useBrowser, whoami,
} from './lib/ctx.mjs';

const ctx = useBrowser();
const fx = ctx.fx;
const notClear = fx.records.filter((r) => r.tlp !== 'clear');
const NOT_CLEAR_LABELS = ['green', 'amber', 'amber+strict', 'red'];
const thaiClear = fx.records.find((r) => r.lang === 'th' && r.tlp === 'clear' && r.type === 'incident');
const viClear = fx.records.find((r) => r.lang === 'vi' && r.tlp === 'clear' && r.origin === fx.nodeB);

describe('public', () => {
  test('dashboard: every part of the contract, only TLP:CLEAR, accessible', async () => {
    await ctx.session('public', async ({ page }) => {
      await gotoDashboard(page, fx);
      for (const id of ['stat-week-total', 'chart-by-type', 'map', 'trend', 'newest', 'log-size', 'checkpoint']) {
        await page.locator(`[data-testid=${id}]`).first().waitFor({ timeout: T.short });
      }
      const paths = await page.$$eval('[data-testid=map] path[data-country]', (ps) => ps.map((p) => ({
        cc: p.getAttribute('data-country'), title: p.querySelector('title')?.textContent || '',
      })));
      assert.deepEqual(paths.map((p) => p.cc).sort(), ['BN', 'ID', 'KH', 'LA', 'MM', 'MY', 'PH', 'SG', 'TH', 'TL', 'VN'],
        'the map has one path per member state');
      assert.ok(paths.every((p) => p.title.trim()), 'every member state path has a <title>');
      const newest = await page.$$eval('[data-testid=newest] a[href^="/records/"]', (as) => as.length);
      assert.ok(newest > 0, 'the newest list links to records');
      const logSize = await page.locator('[data-testid=log-size]').innerText();
      assert.match(logSize.replace(/[\s,.\u00a0\u202f]/g, ''), /\d/, 'the log size is shown');
      const who = await whoami(page);
      assert.match(who, /public/i, 'whoami says Public');
      assert.ok(await page.locator('[data-testid=whoami] a[href$="/signin"]').count() > 0, 'whoami has a Sign in link');
      const nav = await navPaths(page);
      for (const p of ['/', '/search', '/submit']) assert.ok(nav.includes(p), `the Main nav links to ${p}: ${nav}`);
      assert.ok(!nav.includes('/admin'), 'no /admin link for the public');
      assert.ok(!nav.includes('/network'), 'no /network link for the public');
      await assertNoneShown(page, notClear, NOT_CLEAR_LABELS, 'public dashboard');
      await assertAccessible(page, 'public dashboard');
      await shots(page, fx, 'public-dashboard');
      await assertKeyboard(page, 'public dashboard');
    });
  });

  test('search in Thai and in Vietnamese, with and without diacritics; facets show clear only', async () => {
    await ctx.session('public', async ({ page }) => {
      const hits = await search(page, fx, 'ดีปเฟก');
      assert.ok(await hits.count() > 0, 'a Thai query has hits');
      assert.ok((await hitIds(page)).includes(thaiClear.id), 'the Thai deepfake record is found');
      assert.ok(await page.locator('[data-testid=search-hit] mark').count() > 0, 'the snippets highlight with <mark>');
      await assertAccessible(page, 'public search');
      await shots(page, fx, 'public-search-thai');

      for (const q of ['giả mạo', 'gia mao']) {
        await search(page, fx, q);
        assert.ok((await hitIds(page)).includes(viClear.id), `"${q}" finds the Vietnamese record synced from ${fx.nodeB}`);
        assert.ok(await page.locator('[data-testid=search-hit] mark').count() > 0, `"${q}": <mark> in snippets`);
        const hitLabels = await page.$$eval('[data-testid=search-hit] .tlp[data-tlp]', (es) => es.length);
        assert.ok(hitLabels >= await page.locator('[data-testid=search-hit]').count(), 'every hit has a TLP label');
      }
      await shots(page, fx, 'public-search-vietnamese');

      // A word of many records: the facets name only clear.
      await search(page, fx, 'AI');
      await page.locator('[data-testid=facets][aria-busy=false]').waitFor({ timeout: T.short });
      const tlpBoxes = await page.$$eval('[data-testid=facets] input[type=checkbox][name=tlp]', (es) => es.map((e) => e.value));
      assert.deepEqual(tlpBoxes.filter((v) => v !== 'clear'), [], 'the tlp facet offers clear only');
      await page.locator('[data-testid=search-total]').waitFor({ timeout: T.short });
      await assertNoneShown(page, notClear, NOT_CLEAR_LABELS, 'public search "AI"');
    });
  });

  test('a record page verifies the proof; a green record is not found', async () => {
    await ctx.session('public', async ({ page, monitor }) => {
      await page.goto(pageUrl(fx, `/records/${thaiClear.id}`));
      await page.locator('h1').filter({ hasText: thaiClear.title.slice(0, 30) }).waitFor({ timeout: T.load });
      await page.locator('[data-testid=proof-status][data-state=verified]').waitFor({ timeout: T.proof });
      const text = await page.locator('[data-testid=proof-status]').innerText();
      assert.match(text, new RegExp(fx.nodeA), `the proof status names the node: ${text}`);
      const tlp = await page.$$eval('main .tlp[data-tlp]', (es) => es.map((e) => [e.getAttribute('data-tlp'), e.textContent.trim()]));
      assert.ok(tlp.some(([d, t]) => d === 'clear' && /TLP:CLEAR/i.test(t)), `the record shows TLP:CLEAR: ${JSON.stringify(tlp)}`);
      assert.ok(await page.locator('a[data-testid=raw-json]').count() > 0, 'a raw JSON link');
      assert.ok(await page.locator('a[data-testid=download]').count() > 0, 'a download link');
      // The record's observables include a scam URL: shown, never a link.
      assert.ok((await page.locator('main').innerText()).includes('https://invest-asean-profit.example/th/register'),
        'the observable URL is shown');
      assert.equal(await page.locator('a[href*="invest-asean-profit"]').count(), 0, 'an indicator is never a link');
      await assertAccessible(page, 'public record');
      await shots(page, fx, 'public-record');
      await assertKeyboard(page, 'public record');

      const green = fx.green.find((r) => r.origin === fx.nodeA);
      monitor.expect(404, `/v1/records/${green.id}`);
      await openHidden(page, fx, green.id);
      await assertNoneShown(page, [green], NOT_CLEAR_LABELS, 'public: green record page');
      assert.equal(await page.locator('[data-testid=proof-status][data-state=verified]').count(), 0, 'no proof of a hidden record');
    });
  });

  test('sign-in: a bad token shows an alert; a good one signs in; sign out', async () => {
    await ctx.session('public', async ({ page, monitor }) => {
      await page.goto(pageUrl(fx, '/signin'));
      const input = page.locator('input[name=token]');
      await input.waitFor({ timeout: T.load });
      assert.equal(await input.getAttribute('type'), 'password', 'the token input is type=password');
      await assertAccessible(page, 'signin');
      await shots(page, fx, 'public-signin');
      monitor.expect(401, '/v1/');
      await input.fill('aisafe_' + 'A'.repeat(43));
      await page.locator('button[type=submit]').click();
      await page.locator('[role=alert]').first().waitFor({ timeout: T.load });
      assert.ok((await page.locator('[role=alert]').first().innerText()).trim().length > 0, 'the alert says something');
      await shots(page, fx, 'public-signin-bad-token');

      await input.fill(fx.tokens.contributor);
      await page.locator('button[type=submit]').click();
      await page.waitForFunction((name) => (document.querySelector('[data-testid=whoami]')?.textContent || '').includes(name),
        fx.principals.contributor, { timeout: T.load });
      assert.match(await whoami(page), /contributor/i, 'whoami shows the role');
      await page.locator('button[data-testid=signout]').click();
      await page.waitForFunction(() => /public/i.test(document.querySelector('[data-testid=whoami]')?.textContent || ''), null, { timeout: T.load });
      assert.equal(await page.evaluate(() => sessionStorage.getItem('aisafe.token')), null, 'sign out forgets the token');
    });
  });

  test('a #token= link signs in and the fragment goes', async () => {
    await ctx.session('public', async ({ page }) => {
      await page.goto(pageUrl(fx, `/#token=${fx.tokens.analyst}`));
      await page.waitForFunction((name) => (document.querySelector('[data-testid=whoami]')?.textContent || '').includes(name),
        fx.principals.analyst, { timeout: T.load });
      assert.equal(new URL(page.url()).hash, '', 'the token is removed from the address');
      assert.equal(await page.evaluate(() => sessionStorage.getItem('aisafe.token')), fx.tokens.analyst, 'kept in sessionStorage');
      await page.waitForSelector('body[data-ready=dashboard]', { timeout: T.load });
    });
  });

  test('the submit portal: the public sees the form; the language switch translates it', async () => {
    await ctx.session('public', async ({ page }) => {
      await page.goto(pageUrl(fx, '/submit'));
      const form = page.locator('form[data-testid=submit-form]');
      await form.waitFor({ timeout: T.load });
      await assertAccessible(page, 'public submit');
      await shots(page, fx, 'public-submit');
      await assertKeyboard(page, 'public submit');
      const labels = async () => form.evaluate((f) => [...f.querySelectorAll('label, legend, button[type=submit]')]
        .map((l) => l.textContent.trim()).filter(Boolean));
      const english = await labels();
      assert.ok(english.length >= 5, `the form has labels: ${english}`);
      const sel = page.locator('select[name=ui-lang]');
      for (const lang of ['th', 'vi', 'ms', 'id']) {
        await sel.selectOption(lang);
        await page.waitForFunction((l) => document.documentElement.lang === l || document.documentElement.lang.startsWith(l + '-'),
          lang, { timeout: T.short });
        await page.waitForFunction(([en]) => {
          const f = document.querySelector('form[data-testid=submit-form]');
          const now = [...f.querySelectorAll('label, legend, button[type=submit]')].map((l) => l.textContent.trim()).filter(Boolean);
          const changed = now.filter((t, i) => t !== en[i]).length;
          return changed >= Math.ceil(now.length / 2);
        }, [english], { timeout: T.short }).catch(() => {});
        const now = await labels();
        const changed = now.filter((t, i) => t !== english[i]).length;
        assert.ok(changed >= Math.ceil(now.length / 2),
          `${lang}: at least half of the portal's labels are translated (${changed} of ${now.length}): ${now.slice(0, 8).join(' | ')}`);
        if (lang === 'th') assert.match(now.join(' '), /[\u0E00-\u0E7F]/, 'Thai labels are in Thai script');
        await shots(page, fx, `public-submit-${lang}`);
      }
      await sel.selectOption('en');
      await page.waitForFunction(() => document.documentElement.lang.startsWith('en'), null, { timeout: T.short });
    });
  });

  test('network page as the public shows no peers and fails nothing', async () => {
    await ctx.session('public', async ({ page }) => {
      await page.goto(pageUrl(fx, '/network'));
      await page.locator('main#main').waitFor({ timeout: T.load });
      await page.waitForTimeout(500);
      await assertNoneShown(page, notClear, NOT_CLEAR_LABELS, 'public network');
      await shots(page, fx, 'public-network');
    });
  });
});
