import { afterEach, describe, expect, it } from 'vitest';
import { ENDED } from '../../../firmware/upgrade/documents.ts';
import { FROM, Pair, TO } from './pair.ts';

let pair: Pair | null = null;
afterEach(() => {
  pair?.close();
  pair = null;
});

async function started(): Promise<Pair> {
  pair = new Pair();
  await pair.start();
  return pair;
}

/** Both controllers up and their plans ended. */
const ended = (p: Pair) => () =>
  (['A', 'B'] as const).every((id) => {
    const plan = p.plan(id);
    return plan !== null && ENDED.includes(plan.step);
  });

describe('UpgradeRunner: the rolling upgrade of the pair', () => {
  it('a full rolling upgrade: the standby first, one switchover to it, then the other; done', async () => {
    const p = await started();
    const begun = await p.svc('A').begin(p.bundle, false);
    expect(begun.ok).toBe(true);
    expect(await p.run(20 * 60_000, ended(p))).toBe(true);
    await p.run(10_000);
    expect(p.plan('A')?.step).toBe('done');
    expect(p.plan('B')?.step).toBe('done');
    expect(p.plan('A')).toMatchObject({ first: 'B', second: 'A', from: FROM, version: TO });
    // B (the standby) installed and rebooted first, then A.
    const installs = p.codes().filter((c) => c.endsWith('UPGRADE_INSTALLED'));
    expect(installs).toEqual(['B UPGRADE_INSTALLED', 'A UPGRADE_INSTALLED']);
    // One switchover, from the old version to the new; never back.
    expect(p.switchovers).toEqual([{ by: 'A', groups: ['db', 'files'], fromVersion: FROM, toVersion: TO }]);
    for (const id of ['A', 'B'] as const) {
      const s = await p.ctl[id].sim.status();
      expect(p.ctl[id].version).toBe(TO);
      expect(s.booted).toBe('B');
      expect(s.slots.find((x) => x.name === 'A')?.good).toBe(false); // prevent-late-fallback
    }
    expect(p.groups.every((g) => g.owner === 'B' && g.state === 'running')).toBe(true);
  });

  it('with failback, the groups go home to their preferred controller once both run the new version', async () => {
    const p = await started();
    expect((await p.svc('A').begin(p.bundle, true)).ok).toBe(true);
    expect(await p.run(20 * 60_000, ended(p))).toBe(true);
    await p.run(10_000);
    expect(p.plan('A')?.step).toBe('done');
    expect(p.switchovers).toEqual([
      { by: 'A', groups: ['db', 'files'], fromVersion: FROM, toVersion: TO },
      { by: 'B', groups: ['db', 'files'], fromVersion: TO, toVersion: TO },
    ]);
    expect(p.groups.every((g) => g.owner === 'A' && g.state === 'running')).toBe(true);
  });

  it('preflight lists every reason (peer not heard, one path only, a failed group) and stops', async () => {
    const p = await started();
    p.ctl.A.health = { peerState: 'suspect', pathsUp: 1 };
    p.groups[1]!.failedOn = ['B'];
    expect((await p.svc('A').begin(p.bundle, false)).ok).toBe(true);
    expect(await p.run(5 * 60_000, ended(p))).toBe(true);
    const plan = p.plan('A')!;
    expect(plan.step).toBe('failed');
    expect(plan.detail).toEqual([
      'controller B is not heard (suspect)',
      'the peer is reachable on 1 heartbeat path(s); at least 2 are needed',
      'group files has failed (tandemctl cleanup)',
    ]);
    expect(p.plan('B')?.step).toBe('failed');
    // Nothing happens after it: no install, no switchover, no reboot.
    await p.run(10 * 60_000);
    expect(p.codes().filter((c) => /INSTALL|REBOOT/.test(c))).toEqual([]);
    expect(p.switchovers).toEqual([]);
    expect(p.ctl.A.boots + p.ctl.B.boots).toBe(2);
  });

  it('preflight refuses a bundle one controller cannot verify, and names it', async () => {
    const p = await started();
    p.ctl.B.sim.addBundle(p.bundle, { compatible: 'tandem-controller', version: TO, badSignature: true });
    expect((await p.svc('A').begin(p.bundle, false)).ok).toBe(true);
    expect(await p.run(5 * 60_000, ended(p))).toBe(true);
    expect(p.plan('A')?.step).toBe('failed');
    expect(p.plan('A')?.detail).toEqual([expect.stringMatching(/^B: .*signature verification failed/)]);
  });

  it('a second upgrade while one runs is refused', async () => {
    const p = await started();
    expect((await p.svc('A').begin(p.bundle, false)).ok).toBe(true);
    const again = await p.svc('A').begin(p.bundle, false);
    expect(again.ok).toBe(false);
  });

  it('an install failure on the first controller stops the plan as failed, the pair untouched', async () => {
    const p = await started();
    p.ctl.B.sim.failNextInstall = 'power cut while writing slot B';
    expect((await p.svc('A').begin(p.bundle, false)).ok).toBe(true);
    expect(await p.run(20 * 60_000, ended(p))).toBe(true);
    await p.run(2 * 60_000);
    expect(p.codes('B')).toContain('B UPGRADE_INSTALL_FAILED');
    for (const id of ['A', 'B'] as const) {
      const plan = p.plan(id)!;
      expect(plan.step).toBe('failed');
      expect(plan.detail[0]).toMatch(/install on controller B failed: power cut/);
      expect(p.ctl[id].version).toBe(FROM);
      expect(p.ctl[id].boots).toBe(1);
      expect((await p.ctl[id].sim.status()).booted).toBe('A');
      expect((await p.ctl[id].sim.status()).primary).toBe('A');
    }
    expect(p.switchovers).toEqual([]);
    expect(p.groups.every((g) => g.owner === 'A' && g.state === 'running')).toBe(true);
    expect(p.codes('A')).not.toContain('A UPGRADE_INSTALLING');
  });

  it('the first controller fails its health check and falls back: the plan stops naming the fallback, even while its slots are slow to read', async () => {
    const p = await started();
    // As on the VM pair: `rauc status` takes 40 s on the controller that fell
    // back, so its verdict is known before the slots are read again.
    p.ctl.B.sim.statusDelay = () => p.clock.sleep(40_000);
    expect((await p.svc('A').begin(p.bundle, false)).ok).toBe(true);
    expect(await p.run(20 * 60_000, () => p.ctl.B.version === TO)).toBe(true);
    p.ctl.B.health.diskAccess = false; // the new firmware cannot reach the shared disk
    expect(await p.run(30 * 60_000, ended(p))).toBe(true);
    await p.run(2 * 60_000);
    expect(p.codes('B')).toEqual(expect.arrayContaining(['B UPGRADE_HEALTH_FAILED', 'B UPGRADE_FELL_BACK']));
    expect(p.ctl.B.fellBack).toHaveLength(1);
    for (const id of ['A', 'B'] as const) {
      const plan = p.plan(id)!;
      expect(plan.step).toBe('failed');
      expect(plan.detail[0]).toBe(
        `controller B fell back to ${FROM}: ${TO} did not pass its health check there`,
      );
    }
    // Never installed again, never on A; nothing switched over.
    expect(p.codes().filter((c) => c.endsWith('UPGRADE_INSTALLED'))).toEqual(['B UPGRADE_INSTALLED']);
    expect(p.ctl.A.version).toBe(FROM);
    expect(p.ctl.B.version).toBe(FROM);
    expect(p.switchovers).toEqual([]);
  });

  it('abort before the switchover: the groups stay where they are, nothing more is installed', async () => {
    const p = await started();
    // B's trial cannot pass for now (no shared disk there): the runner waits for it.
    p.ctl.B.health = { diskAccess: false };
    expect((await p.svc('A').begin(p.bundle, false)).ok).toBe(true);
    expect(await p.run(10 * 60_000, () => p.ctl.B.version === TO && p.ctl.B.service !== null)).toBe(true);
    await p.run(10_000);
    expect(p.svc('B').agent !== null && p.plan('A')?.step).toBe('install-first');
    const aborted = await p.svc('A').abort('admin');
    expect(aborted.ok).toBe(true);
    expect(p.plan('A')?.step).toBe('aborted');
    expect(await p.run(5000, () => p.plan('B')?.step === 'aborted')).toBe(true);
    p.ctl.B.health = {};
    await p.run(10 * 60_000);
    expect(p.codes('B'), p.events.join('\n')).toContain('B UPGRADE_SLOT_GOOD'); // B's own trial still ends
    expect(p.plan('A')?.step).toBe('aborted');
    expect(p.plan('B')?.step).toBe('aborted');
    expect(p.switchovers).toEqual([]);
    expect(p.ctl.A.version).toBe(FROM);
    expect(p.codes('A')).not.toContain('A UPGRADE_INSTALLING');
    expect(p.groups.every((g) => g.owner === 'A')).toBe(true);
  });

  it('abort while the first controller reboots into the new version: it stays aborted when that one is back', async () => {
    const p = await started();
    expect((await p.svc('A').begin(p.bundle, false)).ok).toBe(true);
    expect(await p.run(10 * 60_000, () => p.ctl.B.service === null)).toBe(true);
    expect((await p.svc('A').abort('admin')).ok).toBe(true);
    await p.run(10 * 60_000);
    expect(p.ctl.B.version).toBe(TO);
    expect(p.plan('A')?.step).toBe('aborted');
    expect(p.plan('B')?.step).toBe('aborted');
    expect(p.switchovers).toEqual([]);
    expect(p.ctl.A.version).toBe(FROM);
  });

  it('a plan from the peer that fails its schema is refused; an older one of the same upgrade is ignored', async () => {
    const p = await started();
    expect((await p.svc('A').begin(p.bundle, false)).ok).toBe(true);
    expect(p.plan('B')?.step).toBe('preflight');
    const r = await p.svc('B').peerOp({ op: 'plan', plan: { ...p.plan('A'), step: 'reboot-now' } });
    expect(r.ok).toBe(false);
    const older = await p
      .svc('B')
      .peerOp({ op: 'plan', plan: { ...p.plan('B'), updatedAt: 0, step: 'done' } });
    expect(older).toEqual({ ok: true, data: 'older' });
    expect(p.plan('B')?.step).not.toBe('done');
  });

  it('resume after an install failure asks for the install again and carries on to done', async () => {
    const p = await started();
    p.ctl.B.sim.failNextInstall = 'power cut while writing slot B';
    expect((await p.svc('A').begin(p.bundle, false)).ok).toBe(true);
    expect(await p.run(20 * 60_000, ended(p))).toBe(true);
    const failedId = p.plan('A')?.id;
    expect(p.plan('A')?.step).toBe('failed');
    const resumed = await p.svc('A').resume('admin');
    expect(resumed.ok).toBe(true);
    expect(p.plan('A')?.id).not.toBe(failedId);
    expect(p.plan('B')?.id).toBe(p.plan('A')?.id);
    expect(await p.run(20 * 60_000, ended(p))).toBe(true);
    expect(p.plan('A')?.step).toBe('done');
    expect(p.plan('B')?.step).toBe('done');
    expect(p.ctl.A.version).toBe(TO);
    expect(p.ctl.B.version).toBe(TO);
    expect(p.switchovers).toEqual([{ by: 'A', groups: ['db', 'files'], fromVersion: FROM, toVersion: TO }]);
  });
});
