#!/usr/bin/env node
// The browser end-to-end tests of the web application (issue 7).
//
//   node web/e2e/run.mjs --aisafe PATH_TO_aisafe --web PATH_TO_dist --artifacts DIR
//        [--only PATTERN] [--keep]
//
// Sets up two real nodes in a temporary directory (lib/fixture.mjs), serves
// node A with the built app, runs the scenarios (*.test.mjs beside this file)
// with Node's test runner in Debian's Chromium, stops the servers and exits
// non-zero if any scenario failed. Screenshots and the nodes' logs go to the
// artifacts directory. Every wait is bounded; the whole run is stopped after
// RUN_LIMIT_MS.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildFixture, stopServers } from './lib/fixture.mjs';
import { loadPlaywright, CHROMIUM } from './lib/browser.mjs';

const RUN_LIMIT_MS = 210_000;
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');

const { values: opt } = parseArgs({
  options: {
    aisafe: { type: 'string' },
    web: { type: 'string' },
    artifacts: { type: 'string' },
    examples: { type: 'string', default: path.join(repo, 'examples', 'records.jsonl') },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

function die(msg) {
  console.error(`web e2e: ${msg}`);
  process.exit(2);
}
if (!opt.aisafe || !opt.web || !opt.artifacts) die('usage: run.mjs --aisafe PATH --web DIST --artifacts DIR');
const aisafe = path.resolve(opt.aisafe);
const web = path.resolve(opt.web);
const artifacts = path.resolve(opt.artifacts);
if (!fs.existsSync(aisafe)) die(`no aisafe binary at ${aisafe}`);
if (!fs.existsSync(path.join(web, 'index.html'))) die(`no built app at ${web} (index.html missing)`);
if (!fs.existsSync(CHROMIUM)) die(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
try { loadPlaywright(); } catch (e) { die(e.message); }
fs.mkdirSync(artifacts, { recursive: true });

// Killed (CTest's timeout, Ctrl-C): the servers go with us.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    try { child?.kill('SIGTERM'); } catch { /* gone */ }
    for (const s of servers) { try { s.proc?.kill('SIGKILL'); } catch { /* gone */ } }
    process.exit(1);
  });
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aisafe-web-e2e-'));
let fx;
let child = null;
const servers = [];
let code = 1;
try {
  const t0 = Date.now();
  fx = await buildFixture({ aisafe, web, root, examples: opt.examples, servers });
  console.log(`web e2e: node ${fx.nodeA} at ${fx.url}, peer ${fx.nodeB} at ${fx.urlB} (${fx.records.length} records, set up in ${Date.now() - t0} ms)`);
  const fixtureFile = path.join(root, 'fixture.json');
  const { servers: _s, ...plain } = fx;
  fs.writeFileSync(fixtureFile, JSON.stringify({ ...plain, artifacts }, null, 1));

  let files = fs.readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort();
  if (opt.only) files = files.filter((f) => f.includes(opt.only));
  child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=90000',
    '--test-reporter=spec', ...files.map((f) => path.join(here, f))], {
    stdio: 'inherit',
    env: { ...process.env, AISAFE_E2E_FIXTURE: fixtureFile },
  });
  const watchdog = setTimeout(() => {
    console.error(`web e2e: stopped after ${RUN_LIMIT_MS} ms`);
    child.kill('SIGKILL');
  }, RUN_LIMIT_MS - (Date.now() - t0));
  code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 1))));
  clearTimeout(watchdog);
} catch (e) {
  console.error(`web e2e: setup failed: ${e.stack || e.message}`);
  code = 1;
} finally {
  await stopServers(servers);
  for (const f of ['node-a.serve.log', 'node-b.serve.log']) {
    try { fs.copyFileSync(path.join(root, f), path.join(artifacts, f)); } catch { /* not started */ }
  }
  if (opt.keep || code !== 0) console.error(`web e2e: data kept in ${root}`);
  else fs.rmSync(root, { recursive: true, force: true });
}
process.exit(code);
