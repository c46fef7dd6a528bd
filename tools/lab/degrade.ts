// Degraded (not cut) links: random loss and duplication of frames with
// nftables in the netdev family, on both ends of the link. tc netem would also
// delay, but this machine's kernel has no sch_netem (CONFIG_NET_SCH_NETEM is
// not set), while nf_tables with numgen and dup is built in; so a link here
// loses and duplicates, and delay is the serial proxy's alone.
import { run, tryRun } from './run.ts';
import { netnsPath } from './netns.ts';
import type { Cuttable, NodeName } from './topology.ts';

/** Links that can be degraded: the private link and each controller's LAN port. */
export const DEGRADABLE = ['private', 'lan-a', 'lan-b'] as const satisfies readonly Cuttable[];
export type Degradable = (typeof DEGRADABLE)[number];

export function isDegradable(s: string): s is Degradable {
  return (DEGRADABLE as readonly string[]).includes(s);
}

export interface Degradation {
  /** Percent of frames dropped, each direction (on the receiving end's ingress). */
  readonly lossPct: number;
  /** Percent of frames sent twice (on the sending end's egress). */
  readonly duplicatePct: number;
}

/** Both ends of each degradable link: [namespace node, interface]. */
const ENDS: Readonly<Record<Degradable, readonly (readonly [NodeName, string])[]>> = {
  private: [
    ['A', 'priv0'],
    ['B', 'priv0'],
  ],
  'lan-a': [
    ['A', 'lan0'],
    ['lan', 'a-lan'],
  ],
  'lan-b': [
    ['B', 'lan0'],
    ['lan', 'b-lan'],
  ],
};

/** One table per interface, so that two degraded links sharing a namespace never touch each other's rules. */
function table(ifname: string): string {
  return `tdm_degrade_${ifname.replace(/[^a-z0-9]/g, '_')}`;
}

function ruleset(ifname: string, d: Degradation): string {
  const t = table(ifname);
  // numgen draws 0..99 per frame: `< P` hits P percent of them.
  const lines = [`table netdev ${t} {`];
  lines.push(`  chain in { type filter hook ingress device "${ifname}" priority 0;`);
  if (d.lossPct > 0) lines.push(`    numgen random mod 100 < ${d.lossPct} drop`);
  lines.push('  }');
  lines.push(`  chain out { type filter hook egress device "${ifname}" priority 0;`);
  if (d.duplicatePct > 0) lines.push(`    numgen random mod 100 < ${d.duplicatePct} dup to "${ifname}"`);
  lines.push('  }', '}');
  return lines.join('\n') + '\n';
}

function checkPct(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 100) throw new RangeError(`${name} must be 0..100, got ${v}`);
}

export async function degrade(link: Degradable, d: Degradation): Promise<void> {
  checkPct('loss', d.lossPct);
  checkPct('duplicate', d.duplicatePct);
  await undegrade(link);
  for (const [node, ifname] of ENDS[link]) {
    await run('nsenter', [`--net=${netnsPath(node)}`, '--', 'nft', '-f', '-'], { input: ruleset(ifname, d) });
  }
}

/** Removes the rules; a link that was never degraded is fine. */
export async function undegrade(link: Degradable): Promise<void> {
  for (const [node, ifname] of ENDS[link]) {
    await tryRun('nsenter', [
      `--net=${netnsPath(node)}`,
      '--',
      'nft',
      'delete',
      'table',
      'netdev',
      table(ifname),
    ]);
  }
}
