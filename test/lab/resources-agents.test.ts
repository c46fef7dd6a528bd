// The resource agents for real, inside controller A: the filesystem agent
// mounts the lab data volume (invisible in B), the postgresql agent runs the
// cluster on it and answers a query, a kill -9 of the postmaster is seen by
// the monitor and repaired locally, stop leaves nothing behind; the vip agent
// takes 198.18.2.10 and the client's ARP cache follows, and refuses when a
// stranger already answers for the address.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { labFiles } from '../../tools/lab/files.ts';
import { lanReport } from '../../tools/lab/net-report.ts';
import { ADDR } from '../../tools/lab/topology.ts';
import { lab, labOk, labStatus, ping } from './lab-helpers.ts';

const AGENT = fileURLToPath(new URL('./resources-agent.ts', import.meta.url));
const MNT = join(labFiles.runDir, 'resources-mnt');
const PGDATA = join(MNT, 'pgdata');
const VIP = ADDR.lanVip;

interface ActionRecord {
  resource: string;
  action: string;
  result: { code: number; reason: string };
}
interface Outcome {
  ok: boolean;
  reason: string;
  actions: ActionRecord[];
}
interface AgentOutput<T> {
  result: T;
  events: { code: string; message: string }[];
}

async function agent<T>(action: string, group: unknown, arg = ''): Promise<AgentOutput<T>> {
  const r = await lab(['exec', 'A', process.execPath, AGENT, action, JSON.stringify(group), arg], 180_000);
  if (r.code !== 0) throw new Error(`resources-agent ${action} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as AgentOutput<T>;
}

async function macOf(node: string): Promise<string> {
  // ip rather than /sys: the client has a network namespace but no sysfs of its own.
  const [link] = JSON.parse(await labOk(['exec', node, 'ip', '-j', 'link', 'show', 'dev', 'lan0'])) as {
    address?: string;
  }[];
  if (!link?.address) throw new Error(`no MAC for ${node}/lan0`);
  return link.address.toLowerCase();
}

async function neighbourMac(node: string, ip: string): Promise<string | null> {
  const [entry] = JSON.parse(await labOk(['exec', node, 'ip', '-j', 'neigh', 'show', ip, 'dev', 'lan0'])) as {
    lladdr?: string;
  }[];
  return entry?.lladdr?.toLowerCase() ?? null;
}

describe('filesystem and postgresql agents in controller A', () => {
  let group: unknown;

  afterAll(async () => {
    // Whatever happened, leave no PostgreSQL running and nothing mounted.
    if (group) await agent('stop', group).catch(() => undefined);
    await lab(['exec', 'A', 'umount', MNT]);
  });

  it('mount in A only, PostgreSQL up, kill -9 repaired locally, stop leaves nothing', async () => {
    const loop = (await labStatus()).loopDevice;
    expect(loop).toMatch(/^\/dev\/loop[0-9]+$/);
    group = {
      name: 'db',
      resources: [
        { type: 'filesystem', device: loop, mountpoint: MNT, options: ['noatime'], fsck: 'when-unclean' },
        {
          type: 'postgresql',
          name: 'pg',
          dataDir: PGDATA,
          monitorIntervalMs: 1000,
          timeouts: { start: 60_000 },
        },
      ],
    };

    const started = await agent<Outcome>('start', group);
    expect(started.result.reason).toBe('');
    expect(started.result.ok).toBe(true);
    expect(started.result.actions.map((a) => [a.resource, a.action, a.result.code])).toEqual([
      ['filesystem', 'start', 0],
      ['pg', 'start', 0],
    ]);
    expect((await lab(['exec', 'A', 'findmnt', '-n', '-o', 'SOURCE', MNT])).stdout.trim()).toBe(loop);
    expect((await lab(['exec', 'B', 'findmnt', MNT])).code).not.toBe(0);

    const healthy = await agent<Record<string, { code: number; reason: string }>>('monitor', group);
    expect(healthy.result).toEqual({ filesystem: { code: 0, reason: '' }, pg: { code: 0, reason: '' } });

    // kill -9 of the postmaster: the next monitor sees it.
    const pid = (await labOk(['exec', 'A', 'head', '-n', '1', join(PGDATA, 'postmaster.pid')])).trim();
    await labOk(['exec', 'A', 'kill', '-9', pid]);
    const broken = await agent<Record<string, { code: number; reason: string }>>('monitor', group);
    expect(broken.result['filesystem']?.code).toBe(0);
    expect(broken.result['pg']).toEqual({ code: 7, reason: 'no postmaster running here' });

    // Start is idempotent and repairs it (fs: already mounted; pg: started again).
    const again = await agent<Outcome>('start', group);
    expect(again.result.reason).toBe('');
    expect(again.result.actions.map((a) => a.result.reason)[0]).toBe('already mounted');
    expect(again.result.ok).toBe(true);

    // The monitor loop: kill -9 under its eyes, a local restart brings it back.
    const watched = await agent<{ killed: number; asks: unknown[]; after: Record<string, { code: number }> }>(
      'watch',
      group,
      join(PGDATA, 'postmaster.pid'),
    );
    expect(watched.result.asks).toEqual([]);
    const codes = watched.events.map((e) => e.code);
    expect(codes).toContain('RESOURCE_MONITOR_FAILED');
    expect(codes).toContain('RESOURCE_RESTARTED');
    expect(watched.result.after['pg']?.code).toBe(0);
    const newPid = (await labOk(['exec', 'A', 'head', '-n', '1', join(PGDATA, 'postmaster.pid')])).trim();
    expect(Number(newPid)).not.toBe(watched.result.killed);

    const stopped = await agent<Outcome>('stop', group);
    expect(stopped.result.ok).toBe(true);
    expect(stopped.result.actions.map((a) => [a.resource, a.action, a.result.code])).toEqual([
      ['pg', 'stop', 0],
      ['filesystem', 'stop', 0],
    ]);
    expect((await lab(['exec', 'A', 'findmnt', MNT])).code).not.toBe(0);
    expect((await lab(['exec', 'A', 'pgrep', '-f', `-D ${PGDATA}`])).code).not.toBe(0);
    group = undefined;
  });
});

describe('vip agent in controller A', () => {
  const vipGroup = {
    name: 'svc',
    resources: [{ type: 'vip', address: VIP, prefix: 24, interface: 'lan0', garp: { refreshDelayMs: 0 } }],
  };

  afterAll(async () => {
    await lab(['exec', 'A', 'ip', 'address', 'del', `${VIP}/24`, 'dev', 'lan0']);
    await lab(['exec', 'client', 'ip', 'address', 'del', `${VIP}/24`, 'dev', 'lan0']);
    await lab(['exec', 'client', 'ip', 'neigh', 'flush', 'dev', 'lan0']);
  });

  it('takes the address; gratuitous ARP repoints the client’s stale entry at A', async () => {
    const macA = await macOf('A');
    const macB = await macOf('B');
    // The client still believes B holds the VIP, as after a failover from B.
    await labOk([
      'exec',
      'client',
      'ip',
      'neigh',
      'replace',
      VIP,
      'lladdr',
      macB,
      'dev',
      'lan0',
      'nud',
      'stale',
    ]);
    await new Promise((r) => setTimeout(r, 1200)); // past neigh locktime (1 s), so an ARP may override it

    const started = await agent<Outcome>('start', vipGroup);
    expect(started.result.ok).toBe(true);
    expect(started.result.actions[0]?.result.reason).toBe(`added ${VIP}/24 on lan0`);
    expect(await neighbourMac('client', VIP)).toBe(macA); // moved by the GARP burst alone
    const pinged = await ping('client', VIP);
    expect(pinged, pinged === 0 ? '' : await lanReport()).toBe(0);
    expect(await neighbourMac('client', VIP)).toBe(macA);

    const monitored = await agent<Record<string, { code: number }>>('monitor', vipGroup);
    expect(monitored.result['vip']?.code).toBe(0);

    const stopped = await agent<Outcome>('stop', vipGroup);
    expect(stopped.result.ok).toBe(true);
    expect(await labOk(['exec', 'A', 'ip', '-4', '-o', 'address', 'show', 'dev', 'lan0'])).not.toContain(VIP);
  });

  it('refuses, with a clear reason, when a stranger already answers for the VIP', async () => {
    const macClient = await macOf('client');
    await labOk(['exec', 'client', 'ip', 'address', 'add', `${VIP}/24`, 'dev', 'lan0']);
    const started = await agent<Outcome>('start', vipGroup);
    // Taken after all: the LAN's state says whether A could have heard the client.
    const why = started.result.ok ? `${JSON.stringify(started.result)}\n${await lanReport()}` : '';
    expect(started.result.ok, why).toBe(false);
    expect(started.result.reason).toBe(
      `start of vip failed: generic-error (1): ${VIP} is already answered by ${macClient}; not taking it`,
    );
    expect(await labOk(['exec', 'A', 'ip', '-4', '-o', 'address', 'show', 'dev', 'lan0'])).not.toContain(VIP);
    expect(started.events.map((e) => e.code)).toContain('GROUP_START_FAILED');
  });
});
