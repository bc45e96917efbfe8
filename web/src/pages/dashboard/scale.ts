// Classes for the choropleth: class 0 is "no incidents", then up to 5 classes.

export interface Break {
  lo: number;
  hi: number;
}

export function classBreaks(max: number, classes = 5): Break[] {
  const out: Break[] = [{ lo: 0, hi: 0 }];
  if (max <= 0) return out;
  const n = Math.min(classes, max);
  let lo = 1;
  for (let i = 1; i <= n; i++) {
    const hi = i === n ? max : Math.max(lo, Math.round((max * i) / n));
    out.push({ lo, hi });
    lo = hi + 1;
    if (lo > max) break;
  }
  return out;
}

export function classOf(v: number, breaks: Break[]): number {
  for (let i = 0; i < breaks.length; i++) if (v <= breaks[i].hi) return i;
  return breaks.length - 1;
}
