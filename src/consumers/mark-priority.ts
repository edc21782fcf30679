/**
 * Priorities of marks (higher is more urgent). A live change to a contract beats fan-out from a
 * plan, product or customer change, which beats snapshot and replay work; the claim query ages
 * priorities with waiting time so nothing starves.
 */
export const MARK_PRIORITY = {
  live: 100,
  fanOut: 50,
  snapshot: 10,
  replay: 5,
} as const;
