import { getJSON, type NodeInfo } from './api';

let cached: Promise<NodeInfo> | null = null;

/** GET /v1/node, once per page load (the node's key does not change while it runs). */
export function nodeInfo(): Promise<NodeInfo> {
  if (!cached) {
    cached = getJSON<NodeInfo>('/v1/node');
    cached.catch(() => {
      cached = null;
    });
  }
  return cached;
}
