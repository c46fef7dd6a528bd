// A guest's NICs on the lab's links: in the controller's namespace, the lab's
// veth end and a tap join one bridge, and the lab's address moves from the
// namespace into the guest (the guest's /etc/tandem/network sets it), so
// the peer, the client and the NOC reach the guest where they reached the
// controller's namespace before. `down` puts the lab's address back.
import { NETNS, type Controller } from '../lab/topology.ts';
import { run, tryRun } from '../lab/run.ts';
import { NICS } from './layout.ts';

export function tapName(nic: (typeof NICS)[number]): string {
  return `vm-${nic.name}`;
}

function bridgeName(nic: (typeof NICS)[number]): string {
  return `vmbr-${nic.name}`;
}

export async function guestNetUp(c: Controller): Promise<void> {
  const ns = NETNS[c];
  const ip = (args: readonly string[]) => run('ip', ['-n', ns, ...args]);
  for (const nic of NICS) {
    await guestNetDown(c, nic);
    await ip(['address', 'flush', 'dev', nic.labIf]);
    // STP off, as the lab's LAN bridge: ports forward at once.
    await ip(['link', 'add', bridgeName(nic), 'type', 'bridge', 'stp_state', '0']);
    await ip(['tuntap', 'add', 'dev', tapName(nic), 'mode', 'tap']);
    for (const port of [nic.labIf, tapName(nic)])
      await ip(['link', 'set', 'dev', port, 'master', bridgeName(nic), 'up']);
    await ip(['link', 'set', 'dev', bridgeName(nic), 'up']);
  }
}

export async function guestNetDown(c: Controller, only?: (typeof NICS)[number]): Promise<void> {
  const ns = NETNS[c];
  for (const nic of only === undefined ? NICS : [only]) {
    await tryRun('ip', ['-n', ns, 'link', 'del', tapName(nic)]);
    await tryRun('ip', ['-n', ns, 'link', 'del', bridgeName(nic)]);
    if (only === undefined)
      await tryRun('ip', ['-n', ns, 'address', 'replace', nic.cidr[c], 'dev', nic.labIf]);
  }
}

/** The guest's /etc/tandem/network (S10tandem-network): one `IFACE CIDR` line per NIC. */
export function guestNetworkFile(c: Controller): string {
  return NICS.map((nic) => `${nic.guestIf} ${nic.cidr[c]}\n`).join('');
}
