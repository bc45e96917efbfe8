// The node's Content-Security-Policy allows no inline script or style: the page
// template, the built page and the code must not need any.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const web = join(__dirname, '..');

function checkHtml(html: string) {
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    expect(m[1], 'every script has a src').toMatch(/\bsrc=/);
    expect(m[2].trim(), 'no inline script body').toBe('');
  }
  expect(html).not.toMatch(/<style\b/i);
  expect(html).not.toMatch(/\sstyle\s*=/i);
  expect(html).not.toMatch(/\son[a-z]+\s*=/i); // inline event handlers
  expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i); // nothing from elsewhere
}

describe('strict CSP', () => {
  it('the index.html template has no inline script, style or handler', () => {
    checkHtml(readFileSync(join(web, 'index.html'), 'utf8'));
  });

  it('the built index.html has none either (when built)', () => {
    const built = join(web, 'dist', 'index.html');
    if (!existsSync(built)) {
      console.warn('csp.test: web/dist not built; checked the template only');
      return;
    }
    checkHtml(readFileSync(built, 'utf8'));
  });

  it('the code sets no style attribute through HTML strings and injects HTML only from snippet_html', () => {
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((f) =>
        f.isDirectory() ? walk(join(d, f.name)) : /\.(tsx?|css)$/.test(f.name) ? [join(d, f.name)] : [],
      );
    for (const f of walk(join(web, 'src'))) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toMatch(/innerHTML\s*=/);
      expect(text, f).not.toMatch(/style=\\?["']/);
      expect(text, f).not.toMatch(/@import\s+url\(\s*['"]?https?:/);
      for (const m of text.matchAll(/dangerouslySetInnerHTML=\{\{\s*__html:\s*([^}]+)\}\}/g)) {
        expect(m[1].trim(), f).toMatch(/snippet_html$/);
      }
    }
  });
});
