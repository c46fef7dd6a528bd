// The phases of a takeover, read from the machine's transitions around its
// TAKEOVER alarm (raised at fence-ok).
import { describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../../../firmware/events/types.ts';
import { takeoverPhases } from '../../../firmware/status/takeover-phases.ts';

let id = 0;
const tr = (ts: number, from: string, toState: string): LoggedEvent => ({
  id: ++id,
  ts,
  monoMs: ts,
  severity: 'info',
  source: 'failover',
  code: 'FAILOVER_TRANSITION',
  message: `${from} --x--> ${toState}`,
  data: { from, to: toState },
});

describe('takeover phases', () => {
  it('waiting out the peer, the fence, starting the groups', () => {
    const events = [
      tr(1000, 'standby', 'peer-suspect'),
      tr(3200, 'peer-suspect', 'fencing'),
      tr(3210, 'fencing', 'taking-over'),
      tr(3500, 'taking-over', 'active'),
    ];
    // Newest first, as the log answers.
    expect(takeoverPhases([...events].reverse(), 3205)).toEqual([
      { name: 'wait', ms: 2200 },
      { name: 'fence', ms: 5 },
      { name: 'start', ms: 295 },
    ]);
  });

  it('an earlier suspicion that ended is not this takeover’s wait; missing edges are left out', () => {
    const events = [
      tr(1000, 'standby', 'peer-suspect'),
      tr(1500, 'peer-suspect', 'standby'),
      tr(5000, 'standby', 'fencing'),
    ];
    expect(takeoverPhases(events, 5100)).toEqual([{ name: 'fence', ms: 100 }]);
    expect(takeoverPhases([], 5100)).toEqual([]);
  });
});
