// One-shot looks at the LAN from the host: a node's lan0 MAC, the client's
// neighbour (ARP) entry for an address, and who answers ARP for it right now.
// `ip -n`/`ip netns exec` rather than `lab exec`: no Node start-up per look.
import { run, tryRun } from '../run.ts';
import { ADDR, NETNS, type NodeName } from '../topology.ts';

export async function lanMac(node: NodeName): Promise<string> {
  const out = await run('ip', ['-n', NETNS[node], '-j', 'link', 'show', 'dev', 'lan0']);
  const [link] = JSON.parse(out) as { address?: string }[];
  if (link?.address === undefined) throw new Error(`no MAC for ${node}/lan0`);
  return link.address.toLowerCase();
}

export interface NeighbourEntry {
  readonly mac: string | null;
  readonly state: readonly string[];
}

/** The client's neighbour entry for `ip` (default the VIP), or null if it has none. */
export async function clientNeighbour(ip: string = ADDR.lanVip): Promise<NeighbourEntry | null> {
  const out = await run('ip', ['-n', NETNS.client, '-j', 'neigh', 'show', ip, 'dev', 'lan0']);
  const [entry] = JSON.parse(out) as { lladdr?: string; state?: string[] }[];
  if (entry === undefined) return null;
  return { mac: entry.lladdr?.toLowerCase() ?? null, state: entry.state ?? [] };
}

/** MACs that answered one broadcast ARP request from the client within `waitS` seconds. */
export async function arpRepliers(ip: string = ADDR.lanVip, waitS = 1): Promise<string[]> {
  const r = await tryRun('ip', [
    'netns',
    'exec',
    NETNS.client,
    'arping',
    '-b',
    '-c',
    '2',
    '-w',
    String(waitS),
    '-I',
    'lan0',
    ip,
  ]);
  const macs = [...r.stdout.matchAll(/reply from \S+ \[([0-9A-Fa-f:]{17})\]/g)].map((m) =>
    (m[1] ?? '').toLowerCase(),
  );
  return [...new Set(macs)];
}

/** Whether the client's kernel reaches `ip` over TCP `port` (no application check). */
export async function clientPing(ip: string = ADDR.lanVip): Promise<boolean> {
  return (await tryRun('ip', ['netns', 'exec', NETNS.client, 'ping', '-c', '1', '-W', '1', ip])).code === 0;
}
