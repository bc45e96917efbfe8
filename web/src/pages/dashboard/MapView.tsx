// The member states shaded by their number of incidents (all time), drawn from
// Natural Earth data (world-atlas) with d3-geo. Loaded lazily by the dashboard.
import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { geoMercator, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import topology from 'virtual:asean-map';
import { locale, t } from '../../lib/i18n';
import { countryName, formatNumber, MEMBER_STATES } from '../../lib/format';
import { classBreaks, classOf } from './scale';

const W = 600;
const H = 470;

type Props = { counts: Record<string, number>; onRendered: () => void };

export function MapView({ counts, onRendered }: Props): JSX.Element {
  const lc = locale();
  const [focus, setFocus] = useState<string | null>(null);
  const shapes = useMemo(() => {
    const fc = feature(topology, topology.objects.members as never) as unknown as FeatureCollection<Geometry>;
    const proj = geoMercator().fitExtent(
      [
        [8, 8],
        [W - 8, H - 8],
      ],
      fc,
    );
    const path = geoPath(proj);
    return fc.features.map((f: Feature<Geometry>) => ({ cc: String(f.id), d: path(f) ?? '', c: path.centroid(f) }));
  }, []);
  const max = Math.max(0, ...MEMBER_STATES.map((cc) => counts[cc] ?? 0));
  const breaks = classBreaks(max);
  useEffect(() => onRendered(), []);

  const label = (cc: string) => t('map.countryIncidents', { country: countryName(cc, lc), count: counts[cc] ?? 0 });
  const rows = [...MEMBER_STATES].sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0) || a.localeCompare(b));

  return (
    <div class="map-wrap">
      <svg
        data-testid="map"
        class="map"
        viewBox={`0 0 ${W} ${H}`}
        role="group"
        aria-label={t('map.label')}
      >
        {shapes.map((s) => (
          <path
            key={s.cc}
            data-country={s.cc}
            class={`region c${classOf(counts[s.cc] ?? 0, breaks)}`}
            d={s.d}
            tabIndex={0}
            role="img"
            aria-label={label(s.cc)}
            onFocus={() => setFocus(s.cc)}
            onBlur={() => setFocus(null)}
            onMouseEnter={() => setFocus(s.cc)}
            onMouseLeave={() => setFocus(null)}
          >
            <title>{label(s.cc)}</title>
          </path>
        ))}
        {/* Small states get a marker so they can be seen and hovered. */}
        {shapes
          .filter((s) => s.cc === 'SG' || s.cc === 'BN')
          .map((s) => (
            <circle
              key={`m-${s.cc}`}
              class={`marker c${classOf(counts[s.cc] ?? 0, breaks)}`}
              cx={s.c[0]}
              cy={s.c[1]}
              r={6}
              aria-hidden="true"
            />
          ))}
      </svg>
      <p class="map-readout" aria-live="polite">
        {focus ? label(focus) : t('map.hint')}
      </p>
      <div class="legend" aria-label={t('map.legend')} role="list">
        {breaks.map((b, i) => (
          <span class="legend-item" role="listitem" key={i}>
            <span class={`swatch c${i}`} aria-hidden="true" />
            {b.hi === b.lo ? formatNumber(b.lo, lc) : `${formatNumber(b.lo, lc)}–${formatNumber(b.hi, lc)}`}
          </span>
        ))}
      </div>
      <details class="table-alt">
        <summary>{t('map.table')}</summary>
        <table class="data">
          <caption class="visually-hidden">{t('map.tableCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('map.country')}</th>
              <th scope="col" class="num">
                {t('map.incidents')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((cc) => (
              <tr key={cc}>
                <th scope="row">{countryName(cc, lc)}</th>
                <td class="num">{formatNumber(counts[cc] ?? 0, lc)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
