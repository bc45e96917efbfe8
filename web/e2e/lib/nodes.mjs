// Real `aisafe` nodes for the browser tests and the bench: CLI calls and
// `aisafe serve` processes, every wait bounded.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export class CliError extends Error {}

// Runs `aisafe --data DIR ARGS...`; returns stdout; throws with stderr on a
// non-zero exit.
export function cli(aisafe, dir, args, { input, timeoutMs = 120_000 } = {}) {
  const r = spawnSync(aisafe, ['--data', dir, ...args], {
    input,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw new CliError(`aisafe ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new CliError(`aisafe ${args.join(' ')}: exit ${r.status}\n${(r.stderr || '').slice(0, 4000)}`);
  }
  return r.stdout;
}

export function lines(text) {
  return text.split('\n').filter((l) => l.length > 0);
}

// A running `aisafe serve`. start() resolves with its URL (the first stdout
// line, without the trailing slash).
export class Server {
  constructor(aisafe, dir, { web, syncIntervalMs = 0, logFile, extraArgs = [] } = {}) {
    this.aisafe = aisafe;
    this.dir = dir;
    this.web = web;
    this.syncIntervalMs = syncIntervalMs;
    this.logFile = logFile ?? path.join(dir, 'serve.log');
    this.extraArgs = extraArgs;
    this.proc = null;
    this.url = null;
  }

  start(timeoutMs = 30_000) {
    const args = ['--data', this.dir, 'serve', '--listen', '127.0.0.1:0', '--access-log', 'off',
      '--sync-interval', String(this.syncIntervalMs), ...this.extraArgs];
    if (this.web) args.push('--web', this.web);
    const log = fs.openSync(this.logFile, 'a');
    this.proc = spawn(this.aisafe, args, { stdio: ['ignore', 'pipe', log] });
    fs.closeSync(log);
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => {
        this.stop();
        reject(new Error(`aisafe serve (${this.dir}) printed no URL in ${timeoutMs} ms; see ${this.logFile}`));
      }, timeoutMs);
      this.proc.stdout.setEncoding('utf8');
      this.proc.stdout.on('data', (d) => {
        out += d;
        const nl = out.indexOf('\n');
        if (nl >= 0 && !this.url) {
          clearTimeout(timer);
          this.url = out.slice(0, nl).trim().replace(/\/$/, '');
          resolve(this.url);
        }
      });
      this.proc.on('exit', (code, sig) => {
        if (!this.url) {
          clearTimeout(timer);
          let tail = '';
          try { tail = fs.readFileSync(this.logFile, 'utf8').slice(-3000); } catch { /* none */ }
          reject(new Error(`aisafe serve (${this.dir}) exited ${code ?? sig} before listening:\n${tail}`));
        }
        this.proc = null;
      });
    });
  }

  // SIGTERM, then SIGKILL after graceMs.
  async stop(graceMs = 5_000) {
    const p = this.proc;
    if (!p) return;
    await new Promise((resolve) => {
      const timer = setTimeout(() => { try { p.kill('SIGKILL'); } catch { /* gone */ } resolve(); }, graceMs);
      p.once('exit', () => { clearTimeout(timer); resolve(); });
      try { p.kill('SIGTERM'); } catch { clearTimeout(timer); resolve(); }
    });
    this.proc = null;
  }
}
