// Records per week over the last 90 days, one line per type (uPlot). Loaded lazily.
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Stats } from '../../lib/api';
import { locale, t } from '../../lib/i18n';
import { bucket, fillDays } from '../../lib/stats';
import { formatDate, formatNumber } from '../../lib/format';

// Distinguishable on white and dark backgrounds (Okabe-Ito).
const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#999999'];

export function TrendChart({ stats, onRendered }: { stats: Stats; onRendered: () => void }): JSX.Element {
  const lc = locale();
  const ref = useRef<HTMLDivElement>(null);
  const end = stats.as_of.slice(0, 10);
  const weekly = bucket(fillDays(stats.days, end, 91), 7);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const fmtDay = new Intl.DateTimeFormat(lc, { month: 'short', day: 'numeric', timeZone: 'UTC' });
    const width = () => Math.max(260, el.clientWidth);
    const series: uPlot.Series[] = [
      { label: t('trend.week'), value: (_u, v) => (v == null ? '' : fmtDay.format(new Date(v * 1000))) },
      ...weekly.types.map((ty, i) => ({
        label: t(`type.${ty}`),
        stroke: COLORS[i % COLORS.length],
        width: 2,
        points: { show: true, size: 5 },
        value: (_u: uPlot, v: number | null) => (v == null ? '' : formatNumber(v, lc)),
      })),
    ];
    const data: uPlot.AlignedData = [weekly.xs, ...weekly.types.map((ty) => weekly.counts[ty])];
    const plot = new uPlot(
      {
        width: width(),
        height: 240,
        series,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] } },
        axes: [
          { values: (_u, splits) => splits.map((s) => fmtDay.format(new Date(s * 1000))), stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.2)' } },
          { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.2)' }, values: (_u, splits) => splits.map((s) => (Number.isInteger(s) ? formatNumber(s, lc) : '')) },
        ],
        cursor: { drag: { x: false, y: false } },
        legend: { show: true },
      },
      data,
      el,
    );
    const ro = new ResizeObserver(() => plot.setSize({ width: width(), height: 240 }));
    ro.observe(el);
    onRendered();
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [stats, lc]);

  return (
    <div data-testid="trend" class="trend">
      <div ref={ref} class="trend-plot" aria-hidden="true" />
      {weekly.types.length === 0 ? <p class="muted">{t('trend.empty')}</p> : null}
      <div class="visually-hidden">
      <table>
        <caption>{t('trend.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('trend.week')}</th>
            {weekly.types.map((ty) => (
              <th scope="col" key={ty}>
                {t(`type.${ty}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weekly.days.map((d, i) => (
            <tr key={d}>
              <th scope="row">{formatDate(d, lc)}</th>
              {weekly.types.map((ty) => (
                <td key={ty}>{weekly.counts[ty][i]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </div>
  );
}
