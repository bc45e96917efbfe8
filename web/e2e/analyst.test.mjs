// As an analyst (ana): sees the amber records the contributor must not (so
// the contributor's checks can fail), their record pages with proofs
// verified, the amber facet, the synced peer and its amber record.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertAccessible, assertKeyboard, assertNoneShown, gotoDashboard, hitIds, navPaths, pageFacts, pageUrl, search, shots, T,
  useBrowser, whoami,
} from './lib/ctx.mjs';

const ctx = useBrowser();
const fx = ctx.fx;
const viAmber = fx.amber.find((r) => r.lang === 'vi' && r.type === 'incident');
const peerAmber = fx.amber.find((r) => r.origin === fx.nodeB);
const viClear = fx.records.find((r) => r.lang === 'vi' && r.tlp === 'clear' && r.origin === fx.nodeB);

describe('analyst', () => {
  test('dashboard as analyst', async () => {
    await ctx.session('analyst', async ({ page }) => {
      await gotoDashboard(page, fx);
      const who = await whoami(page);
      assert.match(who, new RegExp(fx.principals.analyst), `whoami names ana: ${who}`);
      assert.match(who, /analyst/i);
      const nav = await navPaths(page);
      assert.ok(nav.includes('/network') && !nav.includes('/admin'), `analyst nav: ${nav}`);
      await page.locator('[data-testid=peers]').filter({ hasText: fx.nodeB }).waitFor({ timeout: T.load });
      await assertAccessible(page, 'analyst dashboard');
      await shots(page, fx, 'analyst-dashboard');
      await assertKeyboard(page, 'analyst dashboard');
    });
  });

  test('search finds amber records, with the amber facet and label', async () => {
    await ctx.session('analyst', async ({ page }) => {
      for (const q of ['lừa đảo', 'lua dao']) {
        await search(page, fx, q);
        const ids = await hitIds(page);
        assert.ok(ids.includes(viAmber.id), `"${q}" finds the amber Vietnamese record for an analyst`);
        assert.ok(ids.includes(viClear.id), `"${q}" finds the clear one too`);
      }
      const labels = await page.$$eval('[data-testid=search-hit] .tlp[data-tlp]', (es) => es.map((e) => [e.dataset.tlp, e.textContent.trim()]));
      assert.ok(labels.some(([d, t]) => d === 'amber' && /TLP:AMBER/i.test(t)), `an amber label: ${JSON.stringify(labels)}`);
      const colours = await page.$eval('[data-testid=search-hit] .tlp[data-tlp=amber]', (e) => {
        const s = getComputedStyle(e);
        return { color: s.color, background: s.backgroundColor };
      });
      assert.equal(colours.color, 'rgb(255, 192, 0)', 'TLP:AMBER text is FIRST amber #FFC000');
      assert.equal(colours.background, 'rgb(0, 0, 0)', 'TLP labels have a black background');
      await shots(page, fx, 'analyst-search-vietnamese');

      // The checks that keep the contributor from amber do find it here.
      for (const q of ['ATR', 'AI']) {
        await search(page, fx, q);
        await assert.rejects(assertNoneShown(page, fx.hiddenFromContributor, ['amber', 'amber+strict', 'red'], `analyst "${q}"`),
          assert.AssertionError, `the analyst's "${q}" shows amber/red records (the contributor's check would fail)`);
      }
      await page.locator('[data-testid=facets][aria-busy=false]').waitFor({ timeout: T.short });
      const facetTlp = await page.$$eval('[data-testid=facets] input[type=checkbox][name=tlp]', (es) => es.map((e) => e.value));
      assert.ok(facetTlp.includes('amber'), `the tlp facet offers amber to an analyst: ${facetTlp}`);
      // Filtering by the facet shows amber hits only.
      await page.locator('[data-testid=facets] input[type=checkbox][name=tlp][value=amber]').check();
      await page.waitForFunction(() => {
        const ls = [...document.querySelectorAll('[data-testid=search-hit] .tlp[data-tlp]')].map((e) => e.dataset.tlp);
        return ls.length > 0 && ls.every((t) => t === 'amber');
      }, null, { timeout: T.load });
      await shots(page, fx, 'analyst-search-facet-amber');
    });
  });

  test('amber record pages, ours and the peer\'s, with proofs verified', async () => {
    await ctx.session('analyst', async ({ page }) => {
      for (const r of [viAmber, peerAmber]) {
        await page.goto(pageUrl(fx, `/records/${r.id}`));
        await page.locator('h1').filter({ hasText: r.title.slice(0, 25) }).waitFor({ timeout: T.load });
        await page.locator('[data-testid=proof-status][data-state=verified]').waitFor({ timeout: T.proof });
        const { tlps, text } = await pageFacts(page);
        assert.ok(tlps.includes('amber'), `the amber label on ${r.id}`);
        assert.ok(text.includes(r.origin), `the record page names its origin ${r.origin}`);
      }
      const status = await page.locator('[data-testid=proof-status]').innerText();
      assert.match(status, new RegExp(`${fx.nodeA}|${fx.nodeB}`), `the proof status names the log: ${status}`);
      await assertAccessible(page, 'analyst record');
      await shots(page, fx, 'analyst-record-amber');
    });
  });

  test('network: the synced peer, the witnessed checkpoint and the split-view alert', async () => {
    await ctx.session('analyst', async ({ page }) => {
      await page.goto(pageUrl(fx, '/network'));
      const row = page.locator('[data-testid=peer-row]').filter({ hasText: fx.nodeB });
      await row.first().waitFor({ timeout: T.load });
      const text = await row.first().innerText();
      assert.match(text, /\d/, `the peer row shows last sync / received: ${text}`);
      // The fixture showed A two histories of TH-ETDA's log: one alert, for
      // that origin only, announced (role=alert) and above everything else.
      const alert = page.locator('[role=alert][data-testid=split-view-alert]');
      assert.equal(await alert.count(), 1, 'one split-view alert');
      assert.match(await alert.innerText(), new RegExp(fx.nodeC), 'the alert names the forked origin');
      assert.doesNotMatch(await alert.innerText(), new RegExp(fx.nodeB), 'and not the honest peer');
      const above = await page.evaluate(() => {
        const a = document.querySelector('[data-testid=split-view-alert]');
        const p = document.querySelector('[data-testid=peer-row]');
        return !!a && !!p && (a.compareDocumentPosition(p) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
      });
      assert.ok(above, 'the alert comes before the peers table');
      await assertAccessible(page, 'analyst network');
      await shots(page, fx, 'analyst-network');
    });
  });
});
