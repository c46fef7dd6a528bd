// Addresses a controller's firmware added at run time (the VIP): a reset
// loses them, as real hardware does. The lab's power-off leaves a controller's
// network namespace in place (it is the "hardware"), so without this its
// kernel would go on answering ARP for the VIP, RST the client's connections
// and make the survivor's vip agent refuse an address somebody answers for.
import { run } from './run.ts';
import { NETNS, VETHS, type Controller } from './topology.ts';

interface IpAddrJson {
  readonly ifname?: unknown;
  readonly addr_info?: readonly { family?: unknown; local?: unknown; prefixlen?: unknown }[];
}

/** The IPv4 addresses on `c`'s interfaces that the lab topology does not define. */
export async function runtimeAddresses(c: Controller): Promise<{ ifname: string; cidr: string }[]> {
  const fixed = new Set(
    VETHS.flatMap((v) => [v.a, v.b])
      .filter((e) => e.node === c && e.cidr !== null)
      .map((e) => `${e.ifname} ${e.cidr ?? ''}`),
  );
  const parsed: unknown = JSON.parse(await run('ip', ['-n', NETNS[c], '-j', '-4', 'address', 'show']));
  if (!Array.isArray(parsed)) throw new Error(`ip -j address show in ${NETNS[c]}: not a JSON array`);
  const out: { ifname: string; cidr: string }[] = [];
  for (const link of parsed as IpAddrJson[]) {
    if (typeof link.ifname !== 'string' || link.ifname === 'lo') continue;
    for (const a of link.addr_info ?? []) {
      if (a.family !== 'inet' || typeof a.local !== 'string' || typeof a.prefixlen !== 'number') continue;
      const cidr = `${a.local}/${a.prefixlen}`;
      if (!fixed.has(`${link.ifname} ${cidr}`)) out.push({ ifname: link.ifname, cidr });
    }
  }
  return out;
}

/** Removes them; returns what was removed. */
export async function dropRuntimeAddresses(c: Controller): Promise<string[]> {
  const extra = await runtimeAddresses(c);
  for (const { ifname, cidr } of extra) {
    await run('ip', ['-n', NETNS[c], 'address', 'del', cidr, 'dev', ifname]);
  }
  return extra.map((e) => `${e.cidr} on ${e.ifname}`);
}
