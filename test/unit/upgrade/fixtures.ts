// Shared pieces of the upgrade tests: a StatusReport as the daemon builds it
// (a healthy pair by default), and a wait for real file I/O (the document
// stores write to a temp dir) while the SimClock stands still.
import type { ControllerId } from '../../../firmware/cluster/codes.ts';
import type { GroupStatus, StatusReport } from '../../../firmware/status/snapshot.ts';

export function report(
  self: ControllerId,
  o: {
    peerState?: StatusReport['peer']['state'];
    pathsUp?: number;
    diskAccess?: boolean;
    maintenance?: boolean;
    groups?: readonly GroupStatus[];
    takeover?: StatusReport['takeover'];
  } = {},
): StatusReport {
  const peer: ControllerId = self === 'A' ? 'B' : 'A';
  const up = o.pathsUp ?? 3;
  const paths = (['serial', 'net', 'disk'] as const).map((path, i) => ({
    path,
    state: i < up ? ('up' as const) : ('down' as const),
    lastHeardAgoMs: i < up ? 100 : null,
    oneWay: false,
  }));
  return {
    boxId: 'box-1',
    controller: self,
    state: 'active',
    stateText: 'active',
    since: 0,
    peer: { id: peer, state: o.peerState ?? 'alive', peerState: 'standby', paths },
    groups: (o.groups ?? []).map((g) => ({ ...g, resources: [] })),
    diskAccess: o.diskAccess ?? true,
    activeAlarms: 0,
    configVersion: 1,
    updatedAt: 0,
    firmwareVersion: '0.1.0',
    maintenance: o.maintenance ?? false,
    alarms: [],
    lastTakeover: null,
    takeover: o.takeover ?? [],
    muted: false,
    locate: false,
  };
}

/** File operations under way in the thread pool (the document stores'). */
function fileIoPending(): boolean {
  return process.getActiveResourcesInfo().some((r) => r.startsWith('FSReq'));
}

/**
 * Lets real I/O finish while the SimClock stands still: event-loop turns
 * until no file operation is under way (each one's continuation may start
 * the next), at most `maxRealMs` of real time.
 */
export async function settle(maxRealMs = 2000): Promise<void> {
  const end = process.hrtime.bigint() + BigInt(maxRealMs) * 1_000_000n;
  let idleTurns = 0;
  while (idleTurns < 3 && process.hrtime.bigint() < end) {
    await new Promise((r) => setImmediate(r));
    idleTurns = fileIoPending() ? 0 : idleTurns + 1;
  }
}

/** Runs `p` to its end, moving the SimClock on by `stepMs` whenever it waits. */
export async function drive<T>(
  clock: { advance(ms: number): Promise<void> },
  p: Promise<T>,
  stepMs = 1000,
  maxSteps = 10_000,
): Promise<T> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < maxSteps && !done; i++) {
    await settle();
    if (!done) await clock.advance(stepMs);
  }
  return p;
}
