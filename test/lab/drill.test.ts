// Issue 18 item 5 acceptance: `tandemctl drill` on the lab's PostgreSQL pair
// (real daemons, the data volume, the VIP, PostgreSQL) prints its report,
// and a second drill compares itself with the first. The client inserts
// through the VIP all along: the drill's switchovers may pause it, never
// lose an acknowledged row.
import { afterAll, describe, expect, it } from 'vitest';
import { resetPair, startPgPair, tandemctl } from '../../tools/lab/client/pg-pair.ts';
import type { WorkloadReport } from '../../tools/lab/client/report.ts';
import { Workload } from '../../tools/lab/client/workload-driver.ts';

/** The phases each group's switchover and failback must report (docs/drill.md). */
const MOVE_PHASES = ['stop', 'release', 'disk', 'mounted', 'database up', 'VIP announced', 'pause'];

interface Phase {
  readonly name: string;
  readonly ms: number;
  readonly on: string;
}
interface Report {
  readonly result: string;
  readonly previous: { readonly id: string } | null;
  readonly preflight: readonly { readonly check: string; readonly ok: boolean }[];
  readonly steps: readonly {
    readonly kind: string;
    readonly ok: boolean;
    readonly phases: readonly Phase[];
  }[];
}

async function drill(): Promise<{ text: string; report: Report }> {
  const text = await tandemctl('A', 'drill');
  const status = JSON.parse(await tandemctl('A', '--json', 'drill', 'status')) as {
    data: { last: Report };
  };
  return { text, report: status.data.last };
}

describe('tandemctl drill on the lab pair', () => {
  afterAll(async () => {
    await resetPair();
  }, 120_000);

  it('prints its report; a second drill compares itself with the first', async () => {
    await startPgPair();
    const client = await Workload.start({ intervalMs: 20 });
    let report: WorkloadReport;
    let first: { text: string; report: Report } | undefined;
    let second: { text: string; report: Report } | undefined;
    try {
      first = await drill();
      second = await drill();
    } finally {
      report = await client.finish();
    }
    expect(report.readback.ok).toBe(true);
    expect(report.missing).toEqual([]);
    console.log(first.text);
    console.log(second.text);
    for (const d of [first, second]) {
      expect(d.report.result).toBe('passed');
      expect(d.report.preflight.length).toBeGreaterThan(0);
      expect(d.report.preflight.every((c) => c.ok)).toBe(true);
      const moves = d.report.steps.filter((s) => s.kind === 'switchover' || s.kind === 'failback');
      expect(moves.length).toBe(2);
      for (const m of moves) {
        expect(m.phases.map((p) => p.name)).toEqual(expect.arrayContaining(MOVE_PHASES));
        for (const p of m.phases) expect(p.ms).toBeGreaterThanOrEqual(0);
      }
      expect(d.text).toMatch(/^drill \S+ on A by .*: PASSED/m);
    }
    expect(first.text).toContain('the first drill kept here: nothing to compare with');
    expect(second.report.previous).not.toBeNull();
    expect(second.text).toMatch(/^compared with drill \S+ of /m);
  }, 600_000);
});
