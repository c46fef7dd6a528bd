// docs/failover.md's table of derived waits is generated from the functions
// the daemon uses (tools/gen-failover-waits.ts); this fails when the two
// drift apart, and checks what the table and the text around it claim.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAB_TIMING } from '../../../firmware/cluster/timing.ts';
import { checkRules } from '../../../firmware/config/rules.ts';
import { defaultConfig } from '../../../firmware/config/validate.ts';
import {
  freeGroupSettleMs,
  groupDownGraceMs,
  handoverWindowMs,
  minTakeoverWaitMs,
} from '../../../firmware/failover/lease.ts';
import { SimClock } from '../../../hal/clock/sim.ts';
import { SimBox } from '../../../firmware/sim/box.ts';
import { markers, withBlock } from '../../../tools/doc-block.ts';
import { DOC_FILE, WAITS_BLOCK, columns, minFenceDelayMs } from '../../../tools/gen-failover-waits.ts';

const { begin: BEGIN, end: END } = markers(WAITS_BLOCK);

describe('docs/failover.md derived waits', () => {
  it('is what tools/gen-failover-waits.ts generates', async () => {
    const current = readFileSync(DOC_FILE, 'utf8');
    // On failure: run `node tools/gen-failover-waits.ts` and commit docs/failover.md.
    expect(await withBlock(WAITS_BLOCK, current)).toBe(current);
  });

  it('a drifted number is regenerated, and the text around it kept', async () => {
    const current = readFileSync(DOC_FILE, 'utf8');
    const block = current.slice(current.indexOf(BEGIN), current.indexOf(END));
    const drifted = current.replace(block, block.replace(/\| 5550 /, '| 5450 '));
    expect(drifted).not.toBe(current);
    expect(await withBlock(WAITS_BLOCK, drifted)).toBe(current);
  });

  it('each column’s steps lead to the takeover wait the daemon uses', async () => {
    for (const c of await columns())
      expect(minTakeoverWaitMs(c.lease), c.name).toBe(c.settings.takeoverWaitMs);
  });

  it('the shortest fence delay is the one firmware/config/rules.ts allows', async () => {
    for (const c of await columns()) {
      const at = (fenceDelayMs: number) =>
        checkRules({ ...c.config, failover: { ...c.config.failover, fenceDelayMs } }).errors.map(
          (e) => e.path,
        );
      expect(at(minFenceDelayMs(c)), c.name).not.toContain('/failover/fenceDelayMs');
      expect(at(minFenceDelayMs(c) - 1), c.name).toContain('/failover/fenceDelayMs');
    }
  });

  it('the columns are what the text says they are', async () => {
    const [defaults, lab, labPg, sim] = await columns();
    expect(defaults!.config).toEqual(defaultConfig());
    for (const c of [lab!, labPg!, sim!]) expect(c.timing, c.name).toEqual(LAB_TIMING);
    expect([lab!.settings.fenceDelayMs, labPg!.settings.fenceDelayMs]).toEqual([0, 0]);
    expect([lab!.lease.watchdog, labPg!.lease.watchdog?.timeoutMs]).toEqual([null, 1000]);
    expect(sim!.lease.watchdog).toBeNull();
    expect(sim!.settings.fenceDelayMs).toBe(defaultConfig().failover.fenceDelayMs);
    // Section 5: the lab's 3 s stall (test/lab/failover-takeover.test.ts) is longer than its takeover wait.
    expect(lab!.settings.takeoverWaitMs).toBeLessThan(3000);
  });

  // machine.ts and controller.ts still compute these three inline (they are
  // not to be touched by this change); until they call lease.ts, this reads
  // what a controller of the sim box really holds and compares.
  it('the free-group settling, the release memory and the GROUP_DOWN grace a controller holds are lease.ts’s', async () => {
    const box = new SimBox({ clock: new SimClock() });
    try {
      box.boot('A');
      const controller = box.controller('A')!;
      const machine = controller.failover;
      const t = box.timing;
      expect(machine['free']['settleMs']).toBe(freeGroupSettleMs(t));
      expect(machine['releases']['windowMs']).toBe(handoverWindowMs(t));
      expect(controller['groupDown']['graceMs']).toBe(
        groupDownGraceMs({
          takeoverWaitMs: machine['cfg'].takeoverWaitMs,
          fenceDelayMs: machine['cfg'].fenceDelayMs,
          deadtimeMs: t.deadtimeMs,
        }),
      );
    } finally {
      await box.stop();
    }
  });
});
