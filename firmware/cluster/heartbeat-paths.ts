// The independent paths a controller hears its peer on, and the bitmask used
// in the heartbeat's health summary ("I currently hear you on these paths").

export const HEARTBEAT_PATHS = ['serial', 'net', 'lan', 'disk'] as const;
export type HeartbeatPath = (typeof HEARTBEAT_PATHS)[number];

export const PATH_BIT: Readonly<Record<HeartbeatPath, number>> = {
  serial: 0x01,
  net: 0x02,
  lan: 0x04,
  disk: 0x08,
};

export const ALL_PATH_BITS = 0x0f;

export function pathsToMask(paths: Iterable<HeartbeatPath>): number {
  let mask = 0;
  for (const p of paths) mask |= PATH_BIT[p];
  return mask;
}

export function maskToPaths(mask: number): HeartbeatPath[] {
  return HEARTBEAT_PATHS.filter((p) => (mask & PATH_BIT[p]) !== 0);
}

export function maskHas(mask: number, path: HeartbeatPath): boolean {
  return (mask & PATH_BIT[path]) !== 0;
}
