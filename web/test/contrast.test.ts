// WCAG 2.1 AA contrast (1.4.3: at least 4.5:1 for normal text) of the colour
// pairs the stylesheet uses for text, read from src/styles.css itself, so a
// colour changed there is checked here. The TLP labels keep FIRST's colours
// on black.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const css = readFileSync(join(__dirname, '..', 'src', 'styles.css'), 'utf8');

function rootVar(name: string): string {
  const m = new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})\\s*;`).exec(css);
  if (!m) throw new Error(`styles.css has no --${name} colour`);
  return m[1];
}

// The `property` colour of the first rule whose selector is exactly `selector`.
function ruleColour(selector: string, property: string): string {
  const escaped = selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const found = new RegExp(`(?:^|\\n)${escaped} \\{`).exec(css);
  if (!found) throw new Error(`styles.css has no rule ${selector}`);
  const start = found.index;
  const body = css.slice(start, css.indexOf('}', start));
  const m = new RegExp(`(?:^|[\\s;{])${property}:\\s*#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\\b`).exec(body);
  if (!m) throw new Error(`${selector} sets no ${property}`);
  const hex = m[1].length === 3 ? [...m[1]].map((d) => d + d).join('') : m[1];
  return `#${hex.toLowerCase()}`;
}

function luminance(hex: string): number {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = c.map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('contrast', () => {
  it('computes WCAG ratios', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(contrast('#ffffff', '#ffffff')).toBe(1);
  });

  const v = rootVar;
  const pairs: [string, string, string][] = [
    ['text on the page', v('fg'), v('bg')],
    ['text on cards', v('fg'), v('surface')],
    ['muted text on cards', v('muted'), v('surface')],
    ['muted text on the page', v('muted'), v('bg')],
    ['links on cards', v('link'), v('surface')],
    ['links on the page', v('link'), v('bg')],
    ['text on chips', v('fg'), v('chip')],
    ['header text on the brand bar', '#ffffff', v('brand')],
    ['navigation on the brand bar', '#dce6f5', v('brand')],
    ['navigation on the active tab', '#dce6f5', v('brand-2')],
    ['errors on cards', v('danger'), v('surface')],
    ['errors on their panel', v('danger'), v('danger-bg')],
    ['white on the alert red', '#ffffff', v('danger')],
    ['success on cards', v('ok'), v('surface')],
    ['success on its panel', v('ok'), v('ok-bg')],
    ['text on warnings', v('fg'), v('warn-bg')],
    ['highlighted matches', ruleColour('mark', 'color'), ruleColour('mark', 'background')],
    ['TLP:CLEAR label', ruleColour(".tlp[data-tlp='clear']", 'color'), ruleColour('.tlp', 'background')],
    ['TLP:GREEN label', ruleColour(".tlp[data-tlp='green']", 'color'), ruleColour('.tlp', 'background')],
    ['TLP:AMBER label', ruleColour(".tlp[data-tlp='amber+strict']", 'color'), ruleColour('.tlp', 'background')],
    ['TLP:RED label', ruleColour(".tlp[data-tlp='red']", 'color'), ruleColour('.tlp', 'background')],
  ];
  for (const [what, fg, bg] of pairs) {
    it(`${what}: ${fg} on ${bg} is at least 4.5:1`, () => {
      expect(contrast(fg, bg)).toBeGreaterThanOrEqual(4.5);
    });
  }

  it("labels use FIRST's TLP 2.0 colours", () => {
    expect(ruleColour('.tlp', 'background')).toBe('#000000');
    expect(ruleColour(".tlp[data-tlp='red']", 'color')).toBe('#ff2b2b');
    expect(ruleColour(".tlp[data-tlp='amber+strict']", 'color')).toBe('#ffc000');
    expect(ruleColour(".tlp[data-tlp='green']", 'color')).toBe('#33ff00');
    expect(ruleColour(".tlp[data-tlp='clear']", 'color')).toBe('#ffffff');
  });
});
