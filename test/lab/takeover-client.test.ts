// The takeover measuring kit against a real PostgreSQL behind the VIP, served
// from controller A by the resource agents (no failover daemon needed): the
// client workload keeps inserting through 198.18.2.10 while the postmaster is
// killed -9 and started again; it sees one outage, reconnects by itself, and
// every row it saw acknowledged is there on read-back. The probe sees the VIP
// answer ARP from A's MAC and the new postmaster answer SELECT 1.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TakeoverProbe } from '../../tools/lab/client/probe-driver.ts';
import { Workload } from '../../tools/lab/client/workload-driver.ts';
import { clientNeighbour, lanMac } from '../../tools/lab/client/lan-view.ts';
import { labFiles } from '../../tools/lab/files.ts';
import { ADDR } from '../../tools/lab/topology.ts';
import { lab, labOk, labStatus } from './lab-helpers.ts';

const AGENT = fileURLToPath(new URL('./resources-agent.ts', import.meta.url));
const MNT = join(labFiles.runDir, 'takeover-client-mnt');
const PGDATA = join(MNT, 'pgdata');

async function agent(action: string, group: unknown): Promise<{ result: { ok: boolean; reason: string } }> {
  const r = await lab(['exec', 'A', process.execPath, AGENT, action, JSON.stringify(group)], 180_000);
  if (r.code !== 0) throw new Error(`resources-agent ${action} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as { result: { ok: boolean; reason: string } };
}

describe('client workload and probe through the VIP', () => {
  let group: unknown;
  let workload: Workload | undefined;
  let probe: TakeoverProbe | undefined;

  afterAll(async () => {
    await probe?.stop();
    if (workload) await workload.finish(5000).catch(() => undefined);
    if (group) await agent('stop', group).catch(() => undefined);
    await lab(['exec', 'A', 'umount', MNT]);
    await lab(['exec', 'A', 'ip', 'address', 'del', `${ADDR.lanVip}/24`, 'dev', 'lan0']);
    await lab(['exec', 'client', 'ip', 'neigh', 'flush', 'dev', 'lan0']);
  });

  it('counts every acknowledged row across a PostgreSQL crash and restart', async () => {
    const loop = (await labStatus()).loopDevice;
    expect(loop).toMatch(/^\/dev\/loop[0-9]+$/);
    group = {
      name: 'db',
      resources: [
        { type: 'filesystem', device: loop, mountpoint: MNT, fsck: 'when-unclean' },
        { type: 'vip', address: ADDR.lanVip, prefix: 24, interface: 'lan0', garp: { refreshDelayMs: 0 } },
        { type: 'postgresql', name: 'pg', dataDir: PGDATA, timeouts: { start: 60_000 } },
      ],
    };
    expect((await agent('start', group)).result.reason).toBe('');
    const macA = await lanMac('A');

    workload = await Workload.start({ intervalMs: 5 });
    probe = await TakeoverProbe.start(true);
    expect(probe.arpMacsSince(0)).toEqual([macA]);
    await new Promise((r) => setTimeout(r, 1000));

    const t0 = Date.now();
    const pid = (await labOk(['exec', 'A', 'head', '-n', '1', join(PGDATA, 'postmaster.pid')])).trim();
    await labOk(['exec', 'A', 'kill', '-9', pid]);
    await new Promise((r) => setTimeout(r, 1500)); // a real outage, longer than the client's backoff
    expect((await agent('start', group)).result.reason).toBe('');

    const db = await probe.dbFromNewPostmaster(t0, 30_000);
    const recovered = await workload.recoveredAfter(t0, 30_000);
    await new Promise((r) => setTimeout(r, 500));
    const report = await workload.finish();
    workload = undefined;

    expect(report.readback.ok).toBe(true);
    expect(report.acknowledged).toBeGreaterThan(100);
    expect(report.readback.rows).toBeGreaterThanOrEqual(report.acknowledged);
    expect(report.readback.rows).toBeLessThanOrEqual(report.acknowledged + report.inDoubt);
    expect(report.missing).toEqual([]);
    const outages = report.outages.filter((o) => o.failedAt >= t0);
    expect(outages).toHaveLength(1);
    expect(outages[0]?.recoveredAt).toBe(recovered);
    // The outage lasted at least the pause before the restart, and the new
    // postmaster answered the probe no earlier than it was started.
    expect(recovered - t0).toBeGreaterThanOrEqual(1500);
    expect(db.started).toBeGreaterThanOrEqual(t0 + 1500);
    // Nobody but A answered for the VIP (the probe reports a change of replier).
    expect(probe.arpMacsSince(0)).toEqual([macA]);
    expect((await clientNeighbour())?.mac).toBe(macA);
    await probe.stop();
    probe = undefined;
  });
});
