// Network namespaces and veth links. The root namespace is never touched: each
// veth is created directly inside the namespaces of its two ends.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { labFiles } from './files.ts';
import { isMountPoint } from './mountinfo.ts';
import { run, tryRun } from './run.ts';
import { LAN_BRIDGE, NETNS, NODES, VETHS, type NodeName, type VethEnd } from './topology.ts';

export function netnsPath(node: NodeName): string {
  return join(labFiles.netnsDir, NETNS[node]);
}

export function netnsExists(node: NodeName): boolean {
  return existsSync(netnsPath(node));
}

async function linkExists(end: VethEnd): Promise<boolean> {
  return (await tryRun('ip', ['-n', NETNS[end.node], 'link', 'show', 'dev', end.ifname])).code === 0;
}

export async function setLink(end: VethEnd, state: 'up' | 'down'): Promise<void> {
  await run('ip', ['-n', NETNS[end.node], 'link', 'set', 'dev', end.ifname, state]);
}

async function operUp(end: VethEnd): Promise<boolean> {
  const r = await tryRun('ip', ['-n', NETNS[end.node], '-j', 'link', 'show', 'dev', end.ifname]);
  if (r.code !== 0) return false;
  const parsed: unknown = JSON.parse(r.stdout);
  return Array.isArray(parsed) && (parsed[0] as { operstate?: unknown } | undefined)?.operstate === 'UP';
}

async function bridgePortForwarding(end: VethEnd): Promise<boolean> {
  const r = await tryRun('bridge', ['-n', NETNS[end.node], '-j', 'link', 'show', 'dev', end.ifname]);
  if (r.code !== 0) return false;
  const parsed: unknown = JSON.parse(r.stdout);
  return Array.isArray(parsed) && (parsed[0] as { state?: unknown } | undefined)?.state === 'forwarding';
}

/**
 * Waits until both ends of the veth that `end` belongs to are operationally
 * up and, for a LAN bridge port, forwarding. Bounded: a link that does not
 * come back within 5 s is an error, not a hang.
 */
export async function waitVethForwarding(end: VethEnd): Promise<void> {
  const veth = VETHS.find(
    (v) =>
      (v.a.node === end.node && v.a.ifname === end.ifname) ||
      (v.b.node === end.node && v.b.ifname === end.ifname),
  );
  if (veth === undefined) throw new Error(`no veth has end ${end.node}:${end.ifname}`);
  const deadline = Date.now() + 5000;
  for (;;) {
    const ready =
      (await operUp(veth.a)) &&
      (await operUp(veth.b)) &&
      (veth.a.node !== 'lan' || (await bridgePortForwarding(veth.a))) &&
      (veth.b.node !== 'lan' || (await bridgePortForwarding(veth.b)));
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`link ${end.node}:${end.ifname} did not come up within 5 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Creates whatever part of the network is missing (so `up` is idempotent). */
export async function networkUp(): Promise<void> {
  for (const node of NODES) {
    if (!netnsExists(node)) await run('ip', ['netns', 'add', NETNS[node]]);
    await run('ip', ['-n', NETNS[node], 'link', 'set', 'dev', 'lo', 'up']);
  }
  const lan = NETNS.lan;
  if ((await tryRun('ip', ['-n', lan, 'link', 'show', 'dev', LAN_BRIDGE])).code !== 0) {
    // STP off (the default) so ports forward at once instead of after 30 s.
    await run('ip', ['-n', lan, 'link', 'add', LAN_BRIDGE, 'type', 'bridge', 'stp_state', '0']);
  }
  await run('ip', ['-n', lan, 'link', 'set', 'dev', LAN_BRIDGE, 'up']);
  for (const veth of VETHS) {
    if (!(await linkExists(veth.a))) {
      await run('ip', [
        'link',
        'add',
        veth.a.ifname,
        'netns',
        NETNS[veth.a.node],
        'type',
        'veth',
        'peer',
        'name',
        veth.b.ifname,
        'netns',
        NETNS[veth.b.node],
      ]);
      for (const end of [veth.a, veth.b]) {
        if (end.cidr !== null)
          await run('ip', ['-n', NETNS[end.node], 'addr', 'add', end.cidr, 'dev', end.ifname]);
        if (end.node === 'lan')
          await run('ip', ['-n', lan, 'link', 'set', 'dev', end.ifname, 'master', LAN_BRIDGE]);
        await setLink(end, 'up');
      }
    }
  }
}

/** Deleting a namespace destroys its veths (and so their peers) with it. */
export async function networkDown(): Promise<void> {
  for (const node of NODES) {
    if (netnsExists(node)) await run('ip', ['netns', 'del', NETNS[node]]);
  }
  // `ip netns add` made /run/netns a bind mount of itself; undo that only
  // when no namespace at all (ours or anyone's) is left in it.
  if (existsSync(labFiles.netnsDir) && readdirSync(labFiles.netnsDir).length === 0) {
    if (isMountPoint(labFiles.netnsDir)) await tryRun('umount', [labFiles.netnsDir]);
  }
}

export interface LinkStatus {
  readonly node: NodeName;
  readonly ifname: string;
  readonly admin: 'up' | 'down' | 'absent';
  readonly operstate: string;
}

export async function linkStatus(end: VethEnd): Promise<LinkStatus> {
  const r = await tryRun('ip', ['-n', NETNS[end.node], '-j', 'link', 'show', 'dev', end.ifname]);
  if (r.code !== 0) return { node: end.node, ifname: end.ifname, admin: 'absent', operstate: 'absent' };
  let info: unknown;
  try {
    info = JSON.parse(r.stdout);
  } catch {
    return { node: end.node, ifname: end.ifname, admin: 'absent', operstate: 'unparsable' };
  }
  const first = Array.isArray(info)
    ? (info[0] as { flags?: unknown; operstate?: unknown } | undefined)
    : undefined;
  const flags = Array.isArray(first?.flags) ? (first.flags as unknown[]) : [];
  return {
    node: end.node,
    ifname: end.ifname,
    admin: flags.includes('UP') ? 'up' : 'down',
    operstate: typeof first?.operstate === 'string' ? first.operstate : 'unknown',
  };
}
