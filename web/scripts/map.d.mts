export const MEMBERS: Record<string, string>;
export function aseanTopology(): unknown;
