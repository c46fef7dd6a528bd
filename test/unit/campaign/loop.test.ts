// The campaign loop against a fake box (fake-executor.ts): it runs the plan's
// steps in order, judges each, attributes lost rows to their step, and its
// report and RESULT come from what was recorded. A unit test of the loop, not
// a substitute for the lab run.
import { LAB_TIMING } from '../../../firmware/cluster/timing.ts';
import { describe, expect, it } from 'vitest';
import type { Violation } from '../../../tools/campaign/judges/violation.ts';
import { runCampaign } from '../../../tools/campaign/loop.ts';
import { faultsOf, drawPlan } from '../../../tools/campaign/plan.ts';
import { formatViolation, summarize } from '../../../tools/campaign/report.ts';
import { FakeBox } from './fake-executor.ts';

const SEED = 1203;

describe('campaign loop', () => {
  it('runs every step of the plan in order and finds nothing on a well-behaved box', async () => {
    const box = new FakeBox();
    const seen: number[] = [];
    const doc = await runCampaign(box, {
      seed: SEED,
      from: 0,
      count: 40,
      groups: ['db'],
      timing: LAB_TIMING,
      onStep: (s) => seen.push(s.index),
    });
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(box.injected).toEqual(drawPlan(SEED, 0, 40).flatMap(faultsOf));
    const r = summarize(doc);
    expect(r).toMatchObject({ bench: 'campaign', faults: 40, violations: 0, seed: SEED });
    // Steps that moved the group cost the client about the fake's 1.5 s; the rest one insert interval.
    expect(r.outage_p99_ms).toBeGreaterThanOrEqual(1500);
    expect(r.outage_p50_ms).toBeLessThan(1500);
    for (const s of doc.steps) {
      expect(s.recoveryMs).not.toBeNull();
      expect(s.timeline[0]?.what).toBe(`inject ${s.faults[0]?.fault.kind}`);
      expect(s.healedAt).toBeGreaterThan(s.injectedAt);
    }
  });

  it('replays from STEP the same faults the original run injected there', async () => {
    const full = new FakeBox();
    await runCampaign(full, { seed: SEED, from: 0, count: 30, groups: ['db'], timing: LAB_TIMING });
    const replay = new FakeBox();
    const doc = await runCampaign(replay, {
      seed: SEED,
      from: 12,
      count: 18,
      groups: ['db'],
      timing: LAB_TIMING,
    });
    expect(doc.steps.map((s) => s.index)).toEqual(Array.from({ length: 18 }, (_, i) => 12 + i));
    expect(replay.injected).toEqual(drawPlan(SEED, 0, 30).slice(12).flatMap(faultsOf));
  });

  it('flags a move on a cut as a false failover, with the step and the logs around it', async () => {
    const found: { step: number; v: Violation }[] = [];
    const doc = await runCampaign(new FakeBox({ moveOnCut: true }), {
      seed: SEED,
      from: 0,
      count: 40,
      groups: ['db'],
      timing: LAB_TIMING,
      onViolation: (step, v) => found.push({ step, v }),
    });
    // Only the steps whose faults called for no takeover count (a cut of the runner's own disk or LAN may move it).
    const expected = doc.steps.filter(
      (s) => s.takeover === 'never' && s.faults.some((f) => f.fault.kind === 'cut'),
    );
    expect(expected.length).toBeGreaterThan(0);
    const bad = doc.steps.filter((s) => s.violations.some((v) => v.kind === 'false_failover'));
    expect(bad.map((s) => s.index)).toEqual(expected.map((s) => s.index));
    expect(summarize(doc).false_failovers).toBe(found.filter((f) => f.v.kind === 'false_failover').length);
    const first = bad[0]?.violations[0];
    expect(first?.logs.some((l) => l.text.includes('takeover'))).toBe(true);
    const step = found[0]?.step ?? -1;
    expect(formatViolation(SEED, step, 40, { kind: 'false_failover', detail: 'x' })).toContain(
      `seed ${SEED} step ${step}`,
    );
    expect(formatViolation(SEED, step, 40, { kind: 'false_failover', detail: 'x' })).toContain(
      `npm run campaign -- --replay ${SEED} --from ${step} --faults ${40 - step}`,
    );
  });

  it('flags dual mounts and dual VIPs, and a lost row in the step that acknowledged it', async () => {
    const doc = await runCampaign(new FakeBox({ dualMountOnMove: true, loseRow: 500 }), {
      seed: SEED,
      from: 0,
      count: 20,
      groups: ['db'],
      timing: LAB_TIMING,
    });
    const r = summarize(doc);
    expect(r.dual_mount).toBeGreaterThan(0);
    expect(r.dual_vip).toBe(r.dual_mount);
    expect(r.rows_lost).toBe(1);
    const owner = doc.steps.find((s) => s.violations.some((v) => v.kind === 'rows_lost'));
    expect(owner).toBeDefined();
    expect(r.violations).toBe(r.dual_mount + r.dual_vip + r.rows_lost + r.unrecovered + r.false_failovers);
  });
});
