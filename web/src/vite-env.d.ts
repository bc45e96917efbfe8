/// <reference types="vite/client" />
declare module 'virtual:asean-map' {
  import type { Topology } from 'topojson-specification';
  const topology: Topology;
  export default topology;
}
