/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';
import { aseanTopology } from './scripts/map.mjs';

// "virtual:asean-map": the member states' TopoJSON, made from world-atlas at build
// time (scripts/map.mjs) and imported lazily by the dashboard's map.
function aseanMap(): Plugin {
  const id = 'virtual:asean-map';
  const resolved = '\0' + id;
  return {
    name: 'aisafe-asean-map',
    resolveId(source) {
      return source === id ? resolved : null;
    },
    load(source) {
      if (source !== resolved) return null;
      return `export default JSON.parse(${JSON.stringify(JSON.stringify(aseanTopology()))});`;
    },
  };
}

const node = process.env.AISAFE_URL || 'http://127.0.0.1:8400';

export default defineConfig({
  plugins: [aseanMap()],
  build: {
    target: 'es2022',
    assetsInlineLimit: 0, // everything from 'self', nothing as data: URLs
    modulePreload: { polyfill: false }, // the polyfill is an inline-free script, but not needed by current browsers
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/v1': { target: node, changeOrigin: true },
      '/log': { target: node, changeOrigin: true },
      '/healthz': { target: node, changeOrigin: true },
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});
