// Stats (GET /v1/stats) -> chart data.

export interface DayCount {
  day: string;
  by_type: Record<string, number>;
}

export interface Series {
  /** Bucket start days (YYYY-MM-DD), ascending. */
  days: string[];
  /** Unix seconds (UTC midnight) of each bucket start, for the chart's x axis. */
  xs: number[];
  types: string[];
  /** counts[type][i] */
  counts: Record<string, number[]>;
  totals: number[];
}

const DAY = 86400;

export function dayToUnix(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / 1000;
}

export function unixToDay(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 10);
}

/**
 * Fills the days that have no records with zeros: n days ending at endDay
 * (inclusive), ascending. Types are ordered by their total, largest first.
 * Days outside the window are ignored.
 */
export function fillDays(days: DayCount[], endDay: string, n = 90): Series {
  const end = dayToUnix(endDay);
  const start = end - (n - 1) * DAY;
  const typeTotals = new Map<string, number>();
  for (const d of days) for (const [k, v] of Object.entries(d.by_type)) typeTotals.set(k, (typeTotals.get(k) ?? 0) + v);
  const types = [...typeTotals.keys()].sort((a, b) => typeTotals.get(b)! - typeTotals.get(a)! || a.localeCompare(b));
  const xs: number[] = [];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    xs.push(start + i * DAY);
    out.push(unixToDay(start + i * DAY));
  }
  const counts: Record<string, number[]> = {};
  for (const ty of types) counts[ty] = new Array<number>(n).fill(0);
  for (const d of days) {
    const i = Math.round((dayToUnix(d.day) - start) / DAY);
    if (i < 0 || i >= n) continue;
    for (const [k, v] of Object.entries(d.by_type)) counts[k][i] += v;
  }
  const totals = xs.map((_, i) => types.reduce((s, ty) => s + counts[ty][i], 0));
  return { days: out, xs, types, counts, totals };
}

/** Sums a daily series into buckets of `size` days, the last bucket ending on the last day. */
export function bucket(s: Series, size = 7): Series {
  const n = s.days.length;
  const first = n % size; // a leading partial bucket holds the oldest days
  const starts: number[] = [];
  if (first > 0) starts.push(0);
  for (let i = first; i < n; i += size) starts.push(i);
  const counts: Record<string, number[]> = {};
  for (const ty of s.types) counts[ty] = starts.map((st, j) => {
    const e = j + 1 < starts.length ? starts[j + 1] : n;
    let sum = 0;
    for (let i = st; i < e; i++) sum += s.counts[ty][i];
    return sum;
  });
  const totals = starts.map((_, j) => s.types.reduce((a, ty) => a + counts[ty][j], 0));
  return { days: starts.map((i) => s.days[i]), xs: starts.map((i) => s.xs[i]), types: s.types, counts, totals };
}

/** Entries of a count map, largest first, ties by key. */
export function sortedCounts(m: Record<string, number> | undefined): [string, number][] {
  return Object.entries(m ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
