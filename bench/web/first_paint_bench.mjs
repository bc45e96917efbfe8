#!/usr/bin/env node
// The web application's speed on a large node, from headless Chromium's own
// performance timeline (issue 7: dashboard first meaningful paint < 1.5 s,
// search results interactive < 300 ms after typing stops).
//
//   node bench/web/first_paint_bench.mjs --aisafe PATH --web DIST --dir DATA_DIR
//        [--records 1000000] [--runs 20] [--chunk 50000] [--search-rounds 3] [--json FILE]
//
// README.md beside this file says what it measures and how.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateLines } from './generate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
// The browser helpers of the e2e tests: playwright-core from web/, Debian's Chromium.
const { loadPlaywright, CHROMIUM, CHROMIUM_ARGS } = await import(path.join(repo, 'web', 'e2e', 'lib', 'browser.mjs'));
const { Server, cli } = await import(path.join(repo, 'web', 'e2e', 'lib', 'nodes.mjs'));

const { values: opt } = parseArgs({
  options: {
    aisafe: { type: 'string' },
    web: { type: 'string' },
    dir: { type: 'string' },
    records: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '20' },
    chunk: { type: 'string', default: '50000' },
    'search-rounds': { type: 'string', default: '3' },
    json: { type: 'string' },
  },
});
if (!opt.aisafe || !opt.web || !opt.dir) {
  console.error('usage: first_paint_bench.mjs --aisafe PATH --web DIST --dir DATA_DIR [--records N] [--runs R]');
  process.exit(2);
}
const aisafe = path.resolve(opt.aisafe);
const web = path.resolve(opt.web);
const dir = path.resolve(opt.dir);
const N = Number(opt.records);
const RUNS = Number(opt.runs);
const CHUNK = Number(opt.chunk);
const NODE = 'bench-my';
const TARGET_FMP_MS = 1500;
const TARGET_SEARCH_MS = 300;
const QUERIES = ['deepfake minister', 'ดีปเฟก', 'lừa đảo', 'lua dao', 'pelaburan palsu', 'kapal nelayan', 'chatbot hospital', 'tiền mã hóa', 'credit scoring', 'pekeng pamumuhunan'];

const log = (...a) => console.error('bench:', ...a);

// ---- the node: created once, filled in chunks, reused ----------------------
const markerFile = path.join(dir, 'bench-records.json');
function readMarker() {
  try { return JSON.parse(fs.readFileSync(markerFile, 'utf8')); } catch { return null; }
}

function submitChunk(start, count, now) {
  return new Promise((resolve, reject) => {
    const p = spawn(aisafe, ['--data', dir, 'submit', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => { if (err.length < 20000) err += d; });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`aisafe submit (records ${start}..${start + count}) exit ${code}:\n${err.slice(0, 4000)}`))));
    const gen = generateLines(start, count, { now, audience: ['sg-bench'] });
    const pump = () => {
      let buf = '';
      for (let n = 0; n < 2000; n++) {
        const { value, done } = gen.next();
        if (done) { p.stdin.end(buf); return; }
        buf += value;
      }
      if (p.stdin.write(buf)) setImmediate(pump);
      else p.stdin.once('drain', pump);
    };
    pump();
  });
}

async function ensureNode() {
  let m = readMarker();
  if (!m) {
    if (fs.existsSync(dir) && fs.readdirSync(dir).length) throw new Error(`${dir} is not empty and holds no bench node (${markerFile} missing)`);
    cli(aisafe, dir, ['init', '--name', NODE, '--country', 'MY']);
    cli(aisafe, dir, ['principal', 'add', 'bench-analyst', '--role', 'analyst']);
    m = { records: 0, now: new Date().toISOString() };
    fs.writeFileSync(markerFile, JSON.stringify(m));
  }
  const now = Date.parse(m.now);
  const t0 = Date.now();
  while (m.records < N) {
    const count = Math.min(CHUNK, N - m.records);
    const t = Date.now();
    await submitChunk(m.records, count, now);
    m.records += count;
    fs.writeFileSync(markerFile, JSON.stringify(m));
    const rate = Math.round(count / ((Date.now() - t) / 1000));
    log(`stored ${m.records} of ${N} records (${rate} records/s)`);
  }
  if (Date.now() - t0 > 1000) log(`generated in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  else log(`reusing ${dir}: ${m.records} records`);
  return m;
}

// ---- statistics ---------------------------------------------------------------
function stats(xs) {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return { n: 0, median: NaN, p95: NaN, max: NaN };
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}
const fmt = (x) => (Number.isFinite(x) ? `${Math.round(x)}` : '-');
function row(name, xs) {
  const s = stats(xs);
  console.log(`  ${name.padEnd(34)} median ${fmt(s.median).padStart(6)} ms   p95 ${fmt(s.p95).padStart(6)} ms   max ${fmt(s.max).padStart(6)} ms   (n=${s.n})`);
  return s;
}

// ---- the browser ---------------------------------------------------------------
async function newContext(browser, token) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US' });
  context.setDefaultTimeout(60_000);
  await context.addInitScript((t) => {
    try { sessionStorage.setItem('aisafe.token', t); } catch { /* none */ }
    // The last keystroke: keyup, or input (characters typed through an IME,
    // as Thai and Vietnamese are, fire no keyup).
    const mark = (e) => { if (e.target && e.target.name === 'q') window.__aisafeLastKeyup = performance.now(); };
    document.addEventListener('keyup', mark, true);
    document.addEventListener('input', mark, true);
  }, token);
  return context;
}

// One dashboard load; the page's own timeline.
async function loadDashboard(page, url) {
  await page.goto(url + '/', { waitUntil: 'commit', timeout: 60_000 });
  await page.waitForSelector('body[data-ready=dashboard]', { timeout: 60_000 });
  // The frame after the data was rendered: what the eye sees.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    const ready = performance.getEntriesByName('aisafe:dashboard-ready').slice(-1)[0];
    const res = performance.getEntriesByType('resource');
    const api = res.filter((e) => new URL(e.name).pathname.startsWith('/v1/') || new URL(e.name).pathname.startsWith('/log/'));
    const all = [nav, ...res].filter(Boolean);
    const assets = all.filter((e) => !api.includes(e));
    const sum = (es, k) => es.reduce((a, e) => a + (e[k] || 0), 0);
    return {
      fcp: fcp ? fcp.startTime : NaN,
      ready: ready ? ready.startTime : NaN,
      responseEnd: nav ? nav.responseEnd : NaN,
      api: api.map((e) => ({ path: new URL(e.name).pathname, start: e.startTime, end: e.responseEnd, transfer: e.transferSize, body: e.decodedBodySize })),
      transfer: { total: sum(all, 'transferSize'), assets: sum(assets, 'transferSize'), api: sum(api, 'transferSize'),
        assetsEncoded: sum(assets, 'encodedBodySize'), assetsDecoded: sum(assets, 'decodedBodySize') },
      resources: all.map((e) => ({ name: new URL(e.name).pathname, transfer: e.transferSize, encoded: e.encodedBodySize })),
    };
  });
}

async function measureDashboard(browser, url, token) {
  const cold = [];
  const warm = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await newContext(browser, token); // a new context: an empty HTTP cache
    const page = await context.newPage();
    cold.push(await loadDashboard(page, url));
    // Warm: the same context again (assets from the cache, API asked anew).
    warm.push(await loadDashboard(page, url));
    await context.close();
  }
  return { cold, warm };
}

async function measureSearch(browser, url, token) {
  const context = await newContext(browser, token);
  const page = await context.newPage();
  await page.goto(url + '/search', { timeout: 60_000 });
  const box = page.locator('input[type=search][name=q]');
  await box.waitFor({ timeout: 60_000 });
  const samples = [];
  const rounds = Number(opt['search-rounds']);
  for (let round = 0; round < rounds; round++) {
    for (const q of QUERIES) {
      // Clear the box and let its search settle, then type q.
      await box.fill('');
      await page.waitForTimeout(300);
      await page.evaluate(() => { performance.clearMarks('aisafe:search-rendered'); window.__aisafeLastKeyup = undefined; });
      await box.pressSequentially(q, { delay: 40 });
      await page.waitForFunction((want) => document.body.dataset.searchQuery === want &&
        performance.getEntriesByName('aisafe:search-rendered').some((e) => e.startTime >= (window.__aisafeLastKeyup ?? Infinity)), q, { timeout: 30_000 })
        .catch((e) => { throw new Error(`search "${q}": no aisafe:search-rendered after the last keystroke: ${e.message}`); });
      const r = await page.evaluate(() => {
        const last = window.__aisafeLastKeyup;
        // The newest mark: the render of q itself. An earlier one after the
        // last keystroke can be a prefix's results arriving late.
        const mark = performance.getEntriesByName('aisafe:search-rendered').filter((e) => e.startTime >= last).slice(-1)[0];
        const api = performance.getEntriesByType('resource').filter((e) => e.name.includes('/v1/search') && e.startTime >= last).slice(-1)[0];
        return { latency: mark.startTime - last, apiMs: api ? api.responseEnd - api.startTime : NaN };
      });
      samples.push({ q, round, ...r });
    }
  }
  await context.close();
  return samples;
}

// ---- main ----------------------------------------------------------------------
const marker = await ensureNode();
const token = cli(aisafe, dir, ['token', 'create', 'bench-analyst', '--expires', '1d']).trim();
const server = new Server(aisafe, dir, { web, logFile: path.join(dir, 'bench-serve.log') });
let browserHandle = null;
let exitCode = 0;
const stop = async () => {
  if (browserHandle) await browserHandle.close().catch(() => {});
  await server.stop();
};
process.on('SIGINT', () => { stop().then(() => process.exit(130)); });
process.on('SIGTERM', () => { stop().then(() => process.exit(143)); });
try {
  const url = await server.start(120_000);
  const { chromium } = loadPlaywright();
  browserHandle = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  log(`node ${NODE} with ${marker.records} records at ${url}; ${RUNS} runs`);
  // One unmeasured load: the node's own caches (page cache of the store,
  // index) as after any earlier visitor.
  {
    const c = await newContext(browserHandle, token);
    await loadDashboard(await c.newPage(), url);
    await c.close();
  }
  const dash = await measureDashboard(browserHandle, url, token);
  const searches = await measureSearch(browserHandle, url, token);

  console.log(`\nweb bench: ${marker.records} records, ${RUNS} runs, headless Chromium on loopback (${new Date().toISOString()})`);
  console.log('dashboard, cold cache (a new browser context each run):');
  row('first-contentful-paint', dash.cold.map((r) => r.fcp));
  const fmpCold = row('aisafe:dashboard-ready (FMP)', dash.cold.map((r) => r.ready));
  const apiPaths = [...new Set(dash.cold.flatMap((r) => r.api.map((a) => a.path)))];
  for (const p of apiPaths) row(`  ${p} responseEnd`, dash.cold.map((r) => r.api.find((a) => a.path === p)?.end));
  console.log('dashboard, warm cache (same context, second load):');
  row('first-contentful-paint', dash.warm.map((r) => r.fcp));
  const fmpWarm = row('aisafe:dashboard-ready (FMP)', dash.warm.map((r) => r.ready));
  const first = dash.cold[0];
  console.log(`first load transferred: ${(first.transfer.total / 1024).toFixed(1)} KB in all; app assets ${(first.transfer.assets / 1024).toFixed(1)} KB ` +
    `(bodies ${(first.transfer.assetsEncoded / 1024).toFixed(1)} KB compressed, ${(first.transfer.assetsDecoded / 1024).toFixed(1)} KB uncompressed); API ${(first.transfer.api / 1024).toFixed(1)} KB`);
  for (const r of first.resources) console.log(`    ${String(r.transfer).padStart(8)} B  ${r.name}`);
  console.log('search, last keystroke -> aisafe:search-rendered (includes the 120 ms debounce):');
  const srch = row('all queries', searches.map((s) => s.latency));
  row('  /v1/search request (start -> responseEnd)', searches.map((s) => s.apiMs));
  for (const q of QUERIES) row(`  "${q}"`, searches.filter((s) => s.q === q).map((s) => s.latency));
  const met = (ok) => (ok ? 'met' : 'MISSED');
  console.log(`target: dashboard FMP < ${TARGET_FMP_MS} ms (p95, cold): ${fmt(fmpCold.p95)} ms — ${met(fmpCold.p95 < TARGET_FMP_MS)}; ` +
    `warm p95 ${fmt(fmpWarm.p95)} ms`);
  console.log(`target: search interactive < ${TARGET_SEARCH_MS} ms after typing stops (p95): ${fmt(srch.p95)} ms — ${met(srch.p95 < TARGET_SEARCH_MS)}`);
  console.log(`target: first load < 300 KB gzipped (app assets): ${(first.transfer.assets / 1024).toFixed(1)} KB — ${met(first.transfer.assets < 300 * 1024)}`);
  if (opt.json) fs.writeFileSync(opt.json, JSON.stringify({ records: marker.records, runs: RUNS, dashboard: dash, search: searches }, null, 1));
} catch (e) {
  console.error(`bench: ${e.stack || e.message}`);
  exitCode = 1;
} finally {
  await stop();
}
process.exit(exitCode);
