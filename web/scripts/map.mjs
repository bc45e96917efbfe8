// Extracts the eleven ASEAN member states from world-atlas's countries-50m.json
// (Natural Earth 1:50m admin-0 countries, public domain; world-atlas, ISC) into a
// small TopoJSON topology: only the member states' geometries and the arcs they
// use, arcs kept quantized and delta-encoded as world-atlas ships them.
//
// Used by vite.config.ts as the virtual module "virtual:asean-map" (so the build
// needs no generated file in the source tree); `node scripts/map.mjs` prints the
// asset's size.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

// ISO 3166-1 numeric -> alpha-2 for the member states.
export const MEMBERS = {
  '096': 'BN', '116': 'KH', '360': 'ID', '418': 'LA', '458': 'MY', '104': 'MM',
  '608': 'PH', '702': 'SG', '764': 'TH', '704': 'VN', '626': 'TL',
};

export function aseanTopology() {
  const require = createRequire(import.meta.url);
  const src = JSON.parse(readFileSync(require.resolve('world-atlas/countries-50m.json'), 'utf8'));
  const geoms = src.objects.countries.geometries.filter((g) => MEMBERS[g.id]);
  const found = new Set(geoms.map((g) => g.id));
  for (const id of Object.keys(MEMBERS)) {
    if (!found.has(id)) throw new Error(`map.mjs: member state ${id} missing from world-atlas`);
  }
  const remap = new Map();
  const arcs = [];
  const mapArc = (i) => {
    const orig = i < 0 ? ~i : i;
    let n = remap.get(orig);
    if (n === undefined) {
      n = arcs.length;
      remap.set(orig, n);
      arcs.push(src.arcs[orig]);
    }
    return i < 0 ? ~n : n;
  };
  const mapRings = (rings) => rings.map((ring) => ring.map(mapArc));
  const out = geoms.map((g) => ({
    type: g.type,
    id: MEMBERS[g.id],
    properties: { name: g.properties.name },
    arcs: g.type === 'Polygon' ? mapRings(g.arcs) : g.arcs.map(mapRings),
  }));
  return {
    type: 'Topology',
    transform: src.transform,
    objects: { members: { type: 'GeometryCollection', geometries: out } },
    arcs,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = JSON.stringify(aseanTopology());
  console.log(`asean map topology: ${s.length} bytes, ${gzipSync(s, { level: 9 }).length} gzipped`);
}
