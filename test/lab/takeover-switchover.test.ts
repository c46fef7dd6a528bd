// Issue 6 acceptance, planned moves: `tandemctl switchover db` on A moves the
// PostgreSQL group to B, then `tandemctl failback db` on B moves it home to A,
// while the client inserts through the VIP: no acknowledged row is lost and
// the client's ARP entry follows the group each time; the failover hooks run
// around the switchover and the failback hooks around the failback, on both
// sides, with the move in their environment.
import { afterAll, describe, expect, it } from 'vitest';
import { clientNeighbour, lanMac } from '../../tools/lab/client/lan-view.ts';
import {
  GROUP,
  HOOK_LOG,
  hookRuns,
  resetPair,
  startPgPair,
  tandemctl,
} from '../../tools/lab/client/pg-pair.ts';
import { rmSync } from 'node:fs';
import { takeoverUnderLoad } from '../../tools/lab/client/takeover-run.ts';

describe('planned switchover and failback under client load', () => {
  afterAll(async () => {
    await resetPair();
  }, 120_000);

  it('A -> B -> A without losing an acknowledged row', async () => {
    await startPgPair();
    rmSync(HOOK_LOG, { force: true });
    for (const [from, to, verb] of [
      ['A', 'B', 'switchover'],
      ['B', 'A', 'failback'],
    ] as const) {
      const mac = await lanMac(to);
      const r = await takeoverUnderLoad(to, async () => {
        await tandemctl(from, verb, GROUP);
      });
      expect(r.report.readback.ok).toBe(true);
      expect(r.report.acknowledged).toBeGreaterThan(100);
      expect(r.report.missing).toEqual([]);
      expect(r.arpMacs).toEqual([mac]);
      expect((await clientNeighbour())?.mac).toBe(mac);
      console.log(`${verb} ${from}->${to}: vip ${r.vipMs} ms, db ${r.dbMs} ms, client ${r.clientMs} ms`);
    }
    // The first placement at boot ran none; each side of each move ran its pair.
    expect(hookRuns()).toEqual([
      'pre-failover stop db A B A',
      'post-failover stop db A B A',
      'pre-failover start db A B B',
      'post-failover start db A B B',
      'pre-failback stop db B A B',
      'post-failback stop db B A B',
      'pre-failback start db B A A',
      'post-failback start db B A A',
    ]);
  }, 300_000);
});
