// The production build: type-check, vite build, gzip, report the first-load weight.
//   npm run build                                   -> web/dist
//   npm run build -- --outDir /abs/dir --emptyOutDir -> /abs/dir (as CMake calls it)
//   AISAFE_WEB_OUT=/abs/dir npm run build           -> the same
// A relative --outDir is taken relative to web/.
import { spawnSync } from 'node:child_process';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync, existsSync } from 'node:fs';
import { build } from 'vite';
import { compressDir } from './compress.mjs';

const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let outDir = process.env.AISAFE_WEB_OUT || 'dist';
let emptyOutDir = true;
let typecheck = true;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--outDir') outDir = args[++i];
  else if (a.startsWith('--outDir=')) outDir = a.slice(9);
  else if (a === '--emptyOutDir') emptyOutDir = true;
  else if (a === '--no-typecheck') typecheck = false;
  else { console.error(`build.mjs: unknown argument ${a}`); process.exit(2); }
}
if (!outDir) { console.error('build.mjs: --outDir needs a directory'); process.exit(2); }
outDir = resolve(webDir, outDir);

if (typecheck) {
  const tsc = join(webDir, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', webDir], { stdio: 'inherit', cwd: webDir });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

await build({ root: webDir, logLevel: 'warn', build: { outDir, emptyOutDir } });
const c = compressDir(outDir);

// First load: index.html plus the scripts, modulepreloads and stylesheets it names.
const html = readFileSync(join(outDir, 'index.html'), 'utf8');
const refs = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]);
let first = readFileSync(join(outDir, 'index.html.gz')).length;
for (const r of new Set(refs)) {
  const gz = join(outDir, r + '.gz');
  const p = existsSync(gz) ? gz : join(outDir, r);
  if (existsSync(p)) first += readFileSync(p).length;
}
console.log(`aisafe web: built ${outDir} (${c.files} files gzipped); first load ${(first / 1024).toFixed(1)} KB gzipped`);
