// The drill's questions to one controller, answered the same way whether
// the drill runs here (called directly) or on the peer (the `drill-peer`
// command): the mark of its event log, a step's timing from that log, the
// kill of a group's database, the watch of a muted heartbeat path.
import type { PeerDrillOp } from '../commands/context.ts';
import { fail, ok, type Outcome } from '../commands/define.ts';
import { crashHere, watchPath } from './local.ts';
import type { DrillParts } from './parts.ts';
import { logMark, readTiming, type EventReader } from './phases.ts';

export async function answerOp(
  parts: DrillParts,
  op: PeerDrillOp,
  log: EventReader | undefined,
): Promise<Outcome> {
  if (op.op === 'watch') {
    const w = await watchPath(parts, op.path, op.ms);
    return w.ok ? ok(w.value) : fail(w.error);
  }
  // The rest read or write this controller's event log.
  if (log === undefined) return fail(`${parts.self}: no event log to time the drill with`);
  switch (op.op) {
    case 'mark':
      return ok({ id: logMark(log) });
    case 'timing':
      return ok(readTiming(log, op.timing, op.group, op.resource, op.afterId));
    case 'crash': {
      const c = await crashHere(parts, op.group, log);
      return c.ok ? ok(c.value) : fail(c.error);
    }
  }
}
