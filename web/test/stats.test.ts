import { describe, expect, it } from 'vitest';
import { bucket, dayToUnix, fillDays, sortedCounts, unixToDay, type DayCount } from '../src/lib/stats';
import { classBreaks, classOf } from '../src/pages/dashboard/scale';

describe('stats to chart series', () => {
  const days: DayCount[] = [
    { day: '2026-11-01', by_type: { incident: 2 } },
    { day: '2026-11-03', by_type: { incident: 1, practice: 4 } },
    { day: '2026-11-05', by_type: { system: 1 } },
    { day: '2026-08-01', by_type: { incident: 99 } }, // outside the window
  ];

  it('fills empty days with zeros over the window ending today', () => {
    const s = fillDays(days, '2026-11-05', 7);
    expect(s.days).toEqual(['2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05']);
    expect(s.xs[0]).toBe(dayToUnix('2026-10-30'));
    expect(s.xs[6] - s.xs[0]).toBe(6 * 86400);
    expect(s.types).toEqual(['incident', 'practice', 'system']); // by total: 102, 4, 1
    expect(s.counts.incident).toEqual([0, 0, 2, 0, 1, 0, 0]);
    expect(s.counts.practice).toEqual([0, 0, 0, 0, 4, 0, 0]);
    expect(s.counts.system).toEqual([0, 0, 0, 0, 0, 0, 1]);
    expect(s.totals).toEqual([0, 0, 2, 0, 5, 0, 1]);
  });

  it('crosses month and year ends and leap days', () => {
    expect(fillDays([], '2028-03-01', 3).days).toEqual(['2028-02-28', '2028-02-29', '2028-03-01']);
    expect(fillDays([], '2027-01-01', 2).days).toEqual(['2026-12-31', '2027-01-01']);
    expect(unixToDay(dayToUnix('2026-02-28'))).toBe('2026-02-28');
  });

  it('sums days into weeks ending on the last day', () => {
    const s = fillDays(days, '2026-11-05', 10);
    const w = bucket(s, 7);
    expect(w.days).toEqual(['2026-10-27', '2026-10-30']); // 3-day leading bucket, then a full week
    expect(w.counts.incident).toEqual([0, 3]);
    expect(w.totals).toEqual([0, 8]);
    const full = bucket(fillDays(days, '2026-11-05', 91), 7);
    expect(full.days).toHaveLength(13);
    expect(full.totals.reduce((a, b) => a + b, 0)).toBe(8);
  });

  it('orders count maps largest first', () => {
    expect(sortedCounts({ TH: 3, VN: 12, MY: 3 })).toEqual([['VN', 12], ['MY', 3], ['TH', 3]]);
    expect(sortedCounts(undefined)).toEqual([]);
  });
});

describe('choropleth classes', () => {
  it('keeps zero apart and covers 1..max without gaps', () => {
    expect(classBreaks(0)).toEqual([{ lo: 0, hi: 0 }]);
    expect(classBreaks(3)).toEqual([{ lo: 0, hi: 0 }, { lo: 1, hi: 1 }, { lo: 2, hi: 2 }, { lo: 3, hi: 3 }]);
    for (const max of [1, 2, 5, 7, 36, 1000]) {
      const b = classBreaks(max);
      expect(b.length).toBeLessThanOrEqual(6);
      for (let i = 1; i < b.length; i++) expect(b[i].lo).toBe(b[i - 1].hi + 1);
      expect(b[b.length - 1].hi).toBe(max);
      expect(classOf(0, b)).toBe(0);
      expect(classOf(max, b)).toBe(b.length - 1);
      expect(classOf(1, b)).toBe(1);
    }
  });
});
