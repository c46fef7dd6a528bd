// What the panel reads on its own controller rather than from the daemon:
// the addresses of its interfaces (the LAN and private link; loopback left
// out) and how long the controller has been up. A VIP this controller holds
// is among its addresses, as the operator at the rack expects to see it.
import { networkInterfaces, uptime } from 'node:os';
import type { HostView } from './types.ts';

export function hostView(): HostView {
  const addresses: { iface: string; address: string }[] = [];
  for (const [iface, list] of Object.entries(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal || a.family !== 'IPv4') continue;
      addresses.push({ iface, address: a.address });
    }
  }
  return { addresses, uptimeS: Math.floor(uptime()) };
}
