// The dual-VIP observer: tcpdump on the client's LAN port records every ARP
// frame that says "the VIP is at MAC" (a reply, or a gratuitous request sent
// from the VIP), and arping asks for the VIP by broadcast every 50 ms so that
// every holder answers. Neither trusts the firmware: this is what a client
// on the LAN sees.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { netnsPath } from '../../lab/netns.ts';
import { ADDR } from '../../lab/topology.ts';
import type { ArpReply } from '../observations.ts';

const MAC = '[0-9a-f]{2}(?::[0-9a-f]{2}){5}';
const VIP = ADDR.lanVip.replaceAll('.', '\\.');
// tcpdump -e -n -tt: "<epoch.us> <src mac> > <dst mac>, ethertype ARP (0x0806), length N: <what>"
const REPLY = new RegExp(`^(\\d+)\\.(\\d{6}) (${MAC}) > .*: Reply ${VIP} is-at (${MAC})`);
const GRATUITOUS = new RegExp(`^(\\d+)\\.(\\d{6}) (${MAC}) > .*: Request who-has ${VIP} tell ${VIP}\\b`);

/** One line of tcpdump's output as an ArpReply for the VIP, or null. */
export function parseArpLine(line: string): ArpReply | null {
  const r = REPLY.exec(line);
  if (r !== null) return { t: Number(r[1]) * 1000 + Math.floor(Number(r[2]) / 1000), mac: r[4] ?? '' };
  const g = GRATUITOUS.exec(line);
  if (g !== null) return { t: Number(g[1]) * 1000 + Math.floor(Number(g[2]) / 1000), mac: g[3] ?? '' };
  return null;
}

export class ArpWatch {
  readonly replies: ArpReply[] = [];
  private readonly capture: ChildProcess;
  private readonly asker: ChildProcess;

  constructor() {
    const inClient = (cmd: string[]): ChildProcess =>
      spawn('nsenter', [`--net=${netnsPath('client')}`, '--', ...cmd], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    this.capture = inClient(['tcpdump', '-l', '-n', '-e', '-tt', '-i', 'lan0', 'arp']);
    // -b: broadcast every request (arping would switch to unicast after the first reply, and miss a second holder).
    this.asker = inClient(['arping', '-b', '-q', '-I', 'lan0', '-i', '0.05', ADDR.lanVip]);
    const out = this.capture.stdout;
    if (out === null) throw new Error('tcpdump has no stdout');
    createInterface({ input: out }).on('line', (l) => {
      const r = parseArpLine(l);
      if (r !== null) this.replies.push(r);
    });
  }

  /** Whether the capture is still running (a dead tcpdump would see no dual VIP ever). */
  alive(): boolean {
    return this.capture.exitCode === null && this.capture.signalCode === null;
  }

  stop(): void {
    this.capture.kill('SIGTERM');
    this.asker.kill('SIGTERM');
  }
}
