// As an admin (root): /admin lists principals and tokens, adds a principal,
// creates a token for it shown once, the token signs in, revoking it makes
// it fail. A contributor gets no admin page.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAccessible, navPaths, pageUrl, shots, T, useBrowser, whoami } from './lib/ctx.mjs';

const ctx = useBrowser();
const fx = ctx.fx;
const NEW = `e2e-bob-${process.pid}`;

// Clicks the submit button of the form holding `control`.
async function submitOf(page, control) {
  await page.locator('form', { has: page.locator(control) }).locator('button[type=submit]').first().click();
}

describe('admin', () => {
  let newToken = null;

  test('admin adds a principal and creates a token for it', async () => {
    await ctx.session('admin', async ({ page }) => {
      await page.goto(pageUrl(fx, '/admin'));
      await page.waitForFunction((names) => names.every((n) => document.querySelector('main')?.innerText.includes(n)),
        Object.values(fx.principals), { timeout: T.load });
      const nav = await navPaths(page);
      assert.ok(nav.includes('/admin'), `the admin's nav links to /admin: ${nav}`);
      assert.match(await whoami(page), /admin/i);
      await assertAccessible(page, 'admin');
      await shots(page, fx, 'admin');

      await page.locator('input[name=principal-name]').fill(NEW);
      await page.locator('select[name=principal-role]').selectOption('contributor');
      const added = page.waitForResponse((r) => r.url().endsWith('/v1/admin/principals') && r.request().method() === 'POST', { timeout: T.load });
      await submitOf(page, 'input[name=principal-name]');
      assert.equal((await added).status(), 201, 'the principal is created');
      await page.waitForFunction((n) => [...document.querySelectorAll('main table')].some((t) => t.innerText.includes(n)), NEW, { timeout: T.load });

      const sel = page.locator('select[name=token-principal]');
      await page.waitForFunction((n) => [...document.querySelectorAll('select[name=token-principal] option')].some((o) => o.value === n || o.textContent.includes(n)),
        NEW, { timeout: T.load });
      await sel.selectOption(NEW);
      await page.locator('input[name=token-expires]').fill('1d');
      const created = page.waitForResponse((r) => r.url().endsWith('/v1/admin/tokens') && r.request().method() === 'POST', { timeout: T.load });
      await submitOf(page, 'select[name=token-principal]');
      assert.equal((await created).status(), 201, 'the token is created');
      const shown = page.locator('[data-testid=new-token]');
      await shown.waitFor({ timeout: T.load });
      const m = /aisafe_[A-Za-z0-9_-]{43}/.exec(await shown.innerText() + ' ' + (await shown.evaluate((e) => e.querySelector('input')?.value || '')));
      assert.ok(m, 'the new token is shown');
      newToken = m[0];
      await shots(page, fx, 'admin-new-token');
    });
  });

  test('the new token signs in', async () => {
    assert.ok(newToken, 'a token was created');
    await ctx.session('public', async ({ page }) => {
      await page.goto(pageUrl(fx, '/signin'));
      await page.locator('input[name=token]').fill(newToken);
      await page.locator('button[type=submit]').click();
      await page.waitForFunction((n) => (document.querySelector('[data-testid=whoami]')?.textContent || '').includes(n), NEW, { timeout: T.load });
    });
  });

  test('a contributor has no admin page', async () => {
    await ctx.session('contributor', async ({ page, monitor }) => {
      monitor.expect(403, '/v1/admin/');
      await page.goto(pageUrl(fx, '/admin'));
      await page.locator('main#main').waitFor({ timeout: T.load });
      await page.waitForTimeout(500);
      assert.equal(await page.locator('input[name=principal-name]').count(), 0, 'no add-principal form');
      assert.equal(await page.locator('select[name=token-principal]').count(), 0, 'no create-token form');
      assert.equal(await page.locator('[data-testid=new-token]').count(), 0, 'no token');
      await shots(page, fx, 'contributor-admin');
    });
  });
});
