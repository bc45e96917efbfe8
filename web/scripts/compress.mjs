// Writes X.gz (zlib level 9) next to every .js/.css/.json/.svg/.html file of the
// built application, for `aisafe serve` to send to clients that accept gzip.
// Usage: node scripts/compress.mjs [DIR]   (default: $AISAFE_WEB_OUT, else dist)
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync, constants } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const EXT = /\.(js|css|json|svg|html)$/;

export function compressDir(dir) {
  let files = 0, raw = 0, gz = 0;
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) { walk(p); continue; }
      if (!EXT.test(name)) continue;
      const data = readFileSync(p);
      const z = gzipSync(data, { level: constants.Z_BEST_COMPRESSION });
      writeFileSync(p + '.gz', z);
      files++; raw += data.length; gz += z.length;
    }
  };
  walk(dir);
  return { files, raw, gz };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] || process.env.AISAFE_WEB_OUT || 'dist');
  const r = compressDir(dir);
  console.log(`compress: ${r.files} files in ${dir}, ${r.raw} bytes -> ${r.gz} gzipped`);
}
