import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimBootSlots } from '../../../hal/boot/sim.ts';
import { SimClock } from '../../../hal/clock/sim.ts';
import type { EventInput } from '../../../firmware/events/types.ts';
import { trialStore, type Trial } from '../../../firmware/upgrade/documents.ts';
import type { HealthReport } from '../../../firmware/upgrade/health.ts';
import { BootTrial } from '../../../firmware/upgrade/trial.ts';
import { drive } from './fixtures.ts';

const BUNDLE = '/bundle.raucb';
const DEADLINE_MS = 60_000;
const POLL_MS = 2000;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-trial-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function world() {
  const clock = new SimClock();
  const sim = new SimBootSlots({ version: '0.1.0' });
  sim.addBundle(BUNDLE, { compatible: 'tandem-controller', version: '0.2.0' });
  const trials = trialStore(dir);
  const events: Omit<EventInput, 'source'>[] = [];
  const fellBack: string[] = [];
  const reboots: string[] = [];
  const trial = (health: () => Promise<HealthReport>) =>
    new BootTrial({
      slots: sim,
      trials,
      clock,
      health,
      deadlineMs: DEADLINE_MS,
      pollMs: POLL_MS,
      log: (e) => events.push(e),
      raiseFellBack: (m) => fellBack.push(m),
      reboot: (why) => reboots.push(why),
    });
  /** What the agent does: the new slot written, the trial document, the reboot into it. */
  const installAndReboot = async (): Promise<void> => {
    await sim.install(BUNDLE, () => undefined);
    const w = await trials.write({
      slot: 'B',
      version: '0.2.0',
      from: 'A',
      fromVersion: '0.1.0',
      at: 1,
      outcome: 'pending',
    } satisfies Trial);
    expect(w.ok).toBe(true);
    expect(sim.powerCycle()).toBe('B');
  };
  const codes = () => events.map((e) => e.code);
  return { clock, sim, trials, events, fellBack, reboots, trial, installAndReboot, codes };
}

const pass = (): Promise<HealthReport> => Promise.resolve({ pass: true, failing: [] });
const failing = (): Promise<HealthReport> =>
  Promise.resolve({ pass: false, failing: ["peer A's heartbeats are not heard (peer dead)"] });

describe('BootTrial', () => {
  it('a normal boot (no trial) is marked good at once, without a health check', async () => {
    const w = world();
    let asked = 0;
    const t = w.trial(() => (asked++, pass()));
    expect(await drive(w.clock, t.run())).toBe('normal');
    expect(asked).toBe(0);
    expect(t.state().outcome).toBe('normal');
    expect(w.codes()).toEqual(['BOOT_SLOT_MARKED']);
    // TRY cleared: A boots again and again.
    for (let i = 0; i < 3; i++) expect(w.sim.powerCycle()).toBe('A');
  });

  it('a trial boot whose health check passes is marked good and the old slot bad (prevent-late-fallback)', async () => {
    const w = world();
    await drive(w.clock, w.trial(pass).run()); // A's own boot: good
    await w.installAndReboot();
    let asked = 0;
    const t = w.trial(() => (++asked < 4 ? failing() : pass()));
    const startedAt = w.clock.monotonicMs();
    expect(await drive(w.clock, t.run())).toBe('good');
    expect(asked).toBe(4);
    expect(w.clock.monotonicMs() - startedAt).toBeGreaterThanOrEqual(3 * POLL_MS);
    expect(w.reboots).toEqual([]);
    expect(w.codes()).toContain('UPGRADE_TRIAL');
    expect(w.codes()).toContain('UPGRADE_SLOT_GOOD');
    const read = await w.trials.read();
    expect(read.kind === 'ok' && read.value.outcome).toBe('good');
    const s = await w.sim.status();
    expect(s.slots.find((x) => x.name === 'A')?.good).toBe(false);
    expect(s.slots.find((x) => x.name === 'B')?.good).toBe(true);
    // A power-cycle storm without the firmware ever marking good (rauc#490): never the old slot.
    for (let i = 0; i < 6; i++) expect(w.sim.powerCycle()).toBe('B');
    // And the next boot of B is a normal one.
    expect(await drive(w.clock, w.trial(pass).run())).toBe('normal');
  });

  it('a trial whose health check never passes reboots at the deadline; the old slot boots and reports the fallback', async () => {
    const w = world();
    await drive(w.clock, w.trial(pass).run());
    await w.installAndReboot();
    const startedAt = w.clock.monotonicMs();
    const t = w.trial(failing);
    expect(await drive(w.clock, t.run())).toBe('failed');
    expect(w.clock.monotonicMs() - startedAt).toBeGreaterThanOrEqual(DEADLINE_MS);
    expect(w.clock.monotonicMs() - startedAt).toBeLessThan(DEADLINE_MS + 2 * POLL_MS + 2000);
    expect(w.reboots).toHaveLength(1);
    expect(t.state().failing).toEqual(["peer A's heartbeats are not heard (peer dead)"]);
    const failed = w.events.find((e) => e.code === 'UPGRADE_HEALTH_FAILED');
    expect(failed?.severity).toBe('error');
    expect(failed?.message).toMatch(/rebooting into slot A/);

    // The reboot: GRUB skips the tried B, boots A.
    expect(w.sim.powerCycle()).toBe('A');
    const back = w.trial(pass);
    expect(await drive(w.clock, back.run())).toBe('fell-back');
    const fell = w.events.filter((e) => e.code === 'UPGRADE_FELL_BACK');
    expect(fell).toHaveLength(1);
    expect(fell[0]?.message).toMatch(/0\.2\.0 fell back/);
    expect(w.fellBack).toHaveLength(1);
    const s = await w.sim.status();
    expect(s.primary).toBe('A');
    expect(s.slots.find((x) => x.name === 'A')?.good).toBe(true);
    expect(s.slots.find((x) => x.name === 'B')?.good).toBe(false);
    const read = await w.trials.read();
    expect(read.kind === 'ok' && read.value.outcome).toBe('fell-back');
    for (let i = 0; i < 4; i++) expect(w.sim.powerCycle()).toBe('A');

    // The next boot says nothing new: a normal boot.
    expect(await drive(w.clock, w.trial(pass).run())).toBe('normal');
    expect(w.fellBack).toHaveLength(1);
  });

  it('stop() ends a trial that is still checking, without marking anything', async () => {
    const w = world();
    await drive(w.clock, w.trial(pass).run());
    await w.installAndReboot();
    const t = w.trial(failing);
    const run = t.run();
    await w.clock.advance(POLL_MS);
    t.stop();
    expect(await drive(w.clock, run)).toBe('stopped');
    expect(w.reboots).toEqual([]);
    expect((await w.trials.read()).kind === 'ok').toBe(true);
    const read = await w.trials.read();
    expect(read.kind === 'ok' && read.value.outcome).toBe('pending');
  });

  it('unreadable boot slots: logged, treated as a normal boot', async () => {
    const w = world();
    const t = new BootTrial({
      slots: { ...w.sim, status: () => Promise.reject(new Error('rauc is not installed')) } as never,
      trials: w.trials,
      clock: w.clock,
      health: pass,
      deadlineMs: DEADLINE_MS,
      pollMs: POLL_MS,
      log: (e) => w.events.push(e),
      raiseFellBack: () => undefined,
      reboot: () => undefined,
    });
    expect(await drive(w.clock, t.run())).toBe('normal');
    expect(w.codes()).toEqual(['BOOT_SLOTS_UNKNOWN']);
  });
});
