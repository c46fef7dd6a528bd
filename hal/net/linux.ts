// NetControl on iproute2 (`ip -j`), sysfs, and our own ARP over a raw
// AF_PACKET socket (packet-socket.ts): gratuitous ARP and the RFC 5227 probe
// need millisecond timing, which iputils arping (whole seconds) cannot give.
// The firmware runs inside its own network namespace, so commands run
// unprefixed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock/clock.ts';
import { SystemClock } from '../clock/system.ts';
import { HalError } from '../errors.ts';
import { SyscallError } from '../ioctl/errors.ts';
import { paths } from '../paths.ts';
import { encodeArpProbe, encodeGratuitousArp, parseArpFrame } from './arp-frame.ts';
import { parseIpAddrJson } from './ip-json.ts';
import { NetError, checkCidr, checkGarp, checkIfname, checkIpv4, checkTimeout, normalizeMac } from './net.ts';
import type { GarpOptions, LinkState, NetControl } from './net.ts';
import { openArpSocket } from './packet-socket.ts';
import type { ArpSocket, ArpSocketOpener } from './packet-socket.ts';
import { ARPHRD_ETHER } from './packet-uapi.ts';
import { execRunner } from './run.ts';
import type { RunResult, Runner } from './run.ts';

export interface LinuxNetOptions {
  readonly sysClassNet?: string;
  readonly clock?: Clock;
  readonly ipBin?: string;
  readonly run?: Runner;
  /** Opens the raw ARP socket; unit tests pass a fake (the real one needs CAP_NET_RAW). */
  readonly openArpSocket?: ArpSocketOpener;
}

const IP_TIMEOUT_MS = 5000;
/** How often a probe checks its socket for answers (recv never blocks). */
const PROBE_POLL_MS = 5;
/** Frames read per poll at most, so an ARP flood cannot pin the event loop. */
const MAX_FRAMES_PER_POLL = 256;

/** What ARP on an interface needs from sysfs. */
interface ArpLink {
  readonly ifindex: number;
  readonly mac: string;
}

export class LinuxNetControl implements NetControl {
  private readonly sysClassNet: string;
  private readonly clock: Clock;
  private readonly ip: string;
  private readonly run: Runner;
  private readonly openSocket: ArpSocketOpener;

  constructor(options: LinuxNetOptions = {}) {
    this.sysClassNet = options.sysClassNet ?? paths.sysClassNet;
    this.clock = options.clock ?? new SystemClock();
    this.ip = options.ipBin ?? '/usr/sbin/ip';
    this.run = options.run ?? execRunner;
    this.openSocket = options.openArpSocket ?? openArpSocket;
  }

  async listAddresses(ifname: string): Promise<string[]> {
    checkIfname(ifname);
    const r = await this.run(this.ip, ['-j', '-4', 'address', 'show', 'dev', ifname], IP_TIMEOUT_MS);
    if (r.code !== 0) throw toolError(ifname, 'ip address show', r);
    return parseIpAddrJson(ifname, r.stdout);
  }

  async addAddress(ifname: string, cidr: string): Promise<void> {
    checkIfname(ifname);
    const c = checkCidr(ifname, cidr);
    // `replace` rather than `add`: re-adding a VIP we already hold must succeed.
    const r = await this.run(this.ip, ['address', 'replace', c.cidr, 'dev', ifname], IP_TIMEOUT_MS);
    if (r.code !== 0) throw toolError(ifname, 'ip address replace', r);
  }

  async removeAddress(ifname: string, cidr: string): Promise<void> {
    checkIfname(ifname);
    const c = checkCidr(ifname, cidr);
    if (!(await this.listAddresses(ifname)).includes(c.cidr)) return;
    const r = await this.run(this.ip, ['address', 'del', c.cidr, 'dev', ifname], IP_TIMEOUT_MS);
    // Lost a race with someone else removing it: the outcome is what we wanted.
    if (r.code !== 0 && !/Address not found|Cannot assign requested address/.test(r.stderr)) {
      throw toolError(ifname, 'ip address del', r);
    }
  }

  async linkState(ifname: string): Promise<LinkState> {
    checkIfname(ifname);
    const dir = join(this.sysClassNet, ifname);
    let operstate: string;
    try {
      operstate = (await readFile(join(dir, 'operstate'), 'utf8')).trim();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new NetError('invalid-argument', ifname, 'no such interface');
      throw new NetError('io', ifname, `reading operstate: ${String(err)}`, { cause: err });
    }
    let carrier = false;
    try {
      const text = (await readFile(join(dir, 'carrier'), 'utf8')).trim();
      if (text !== '0' && text !== '1')
        throw new NetError('protocol', ifname, `carrier reads ${JSON.stringify(text)}`);
      carrier = text === '1';
    } catch (err) {
      // The kernel answers EINVAL while the interface is administratively down.
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL') {
        throw err instanceof NetError ? err : new NetError('io', ifname, `reading carrier: ${String(err)}`);
      }
    }
    // Drivers that do not track state report "unknown"; then carrier decides.
    const operUp = operstate === 'up' || (operstate === 'unknown' && carrier);
    return { operUp, carrier };
  }

  async sendGratuitousArp(ifname: string, ip: string, options: GarpOptions): Promise<void> {
    checkIfname(ifname);
    checkIpv4(ifname, ip);
    checkGarp(ifname, options);
    const link = await this.arpLink(ifname);
    // The kernel would send whatever we build; announcing an address we do
    // not hold would steal it from its owner. Checked before every send: an
    // address removed during a burst (a switchover right after a takeover)
    // must not be announced any more, or the new owner's conflict probe
    // hears us and refuses the address (seen in the lab).
    const notHeld = async (): Promise<boolean> =>
      !(await this.listAddresses(ifname)).some((cidr) => cidr.split('/')[0] === ip);
    if (await notHeld())
      throw new NetError('invalid-argument', ifname, `address ${ip} not held by this host`);
    const frame = encodeGratuitousArp(link.mac, ip);
    const sock = this.open(ifname, link.ifindex, false);
    try {
      // Spaced from the first send, not from each other, so the burst does not
      // stretch by the time each send takes. Resolves right after the last.
      const start = this.clock.monotonicMs();
      for (let i = 0; i < options.count; i++) {
        const wait = start + i * options.intervalMs - this.clock.monotonicMs();
        if (i > 0 && wait > 0) await this.clock.sleep(wait);
        if (i > 0 && (await notHeld()))
          throw new NetError('invalid-argument', ifname, `address ${ip} no longer held: burst stopped`);
        this.send(sock, ifname, frame);
      }
    } finally {
      sock.close();
    }
  }

  async probeAddressInUse(ifname: string, ip: string, timeoutMs: number): Promise<string | null> {
    checkIfname(ifname);
    checkIpv4(ifname, ip);
    checkTimeout(ifname, timeoutMs);
    const link = await this.arpLink(ifname);
    const probe = encodeArpProbe(link.mac, ip);
    // Listening before the probe goes out, so an immediate answer is queued.
    const sock = this.open(ifname, link.ifindex, true);
    try {
      const start = this.clock.monotonicMs();
      this.send(sock, ifname, probe);
      // A second probe halfway through, in case the first (or its answer) was lost.
      let reprobed = false;
      for (;;) {
        const holder = this.holderIn(sock, ifname, ip, link.mac);
        if (holder !== null) return holder;
        const elapsed = this.clock.monotonicMs() - start;
        if (elapsed >= timeoutMs) return null;
        if (!reprobed && elapsed >= timeoutMs / 2) {
          this.send(sock, ifname, probe);
          reprobed = true;
        }
        const next = reprobed ? timeoutMs : timeoutMs / 2;
        await this.clock.sleep(Math.min(PROBE_POLL_MS, next - elapsed));
      }
    } finally {
      sock.close();
    }
  }

  /**
   * The MAC of another host that has spoken for `ip` in any ARP frame queued
   * on `sock` (a reply to our probe, or its own request or announcement).
   * Our own frames (the socket sees what we send) are skipped.
   */
  private holderIn(sock: ArpSocket, ifname: string, ip: string, ourMac: string): string | null {
    for (let n = 0; n < MAX_FRAMES_PER_POLL; n++) {
      let frame: Buffer | null;
      try {
        frame = sock.receive();
      } catch (err) {
        throw socketError(ifname, 'ARP receive', err);
      }
      if (frame === null) return null;
      const parsed = parseArpFrame(frame);
      if (!parsed.ok) continue;
      const { senderIp, senderMac } = parsed.arp;
      if (senderIp === ip && senderMac !== ourMac) return senderMac;
    }
    return null;
  }

  /** ifindex and MAC from sysfs (the namespace's own /sys, as for linkState). */
  private async arpLink(ifname: string): Promise<ArpLink> {
    const dir = join(this.sysClassNet, ifname);
    const read = async (name: string): Promise<string> => {
      try {
        return (await readFile(join(dir, name), 'utf8')).trim();
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENODEV') {
          throw new NetError('invalid-argument', ifname, 'no such interface');
        }
        throw new NetError('io', ifname, `reading ${name}: ${String(err)}`, { cause: err });
      }
    };
    const [indexText, typeText, macText] = await Promise.all([
      read('ifindex'),
      read('type'),
      read('address'),
    ]);
    const ifindex = Number(indexText);
    if (!/^\d+$/.test(indexText) || !(ifindex >= 1 && ifindex <= 0x7fffffff)) {
      throw new NetError('protocol', ifname, `ifindex reads ${JSON.stringify(indexText)}`);
    }
    if (typeText !== String(ARPHRD_ETHER)) {
      throw new NetError('not-supported', ifname, `ARP needs an Ethernet interface (sysfs type ${typeText})`);
    }
    const mac = normalizeMac(macText);
    if (mac === null) throw new NetError('protocol', ifname, `address reads ${JSON.stringify(macText)}`);
    return { ifindex, mac };
  }

  private open(ifname: string, ifindex: number, listen: boolean): ArpSocket {
    try {
      return this.openSocket(ifname, ifindex, { listen });
    } catch (err) {
      throw socketError(ifname, 'opening the ARP socket', err);
    }
  }

  private send(sock: ArpSocket, ifname: string, frame: Buffer): void {
    try {
      sock.send(frame);
    } catch (err) {
      throw socketError(ifname, 'ARP send', err);
    }
  }
}

/** What a failed packet-socket call means for the caller. */
function socketError(ifname: string, what: string, err: unknown): NetError {
  if (err instanceof NetError) return err;
  if (err instanceof SyscallError) {
    switch (err.errnoName) {
      case 'EPERM':
      case 'EACCES':
        return new NetError('not-supported', ifname, `${what} needs CAP_NET_RAW (${err.message})`, {
          cause: err,
        });
      case 'ENODEV':
      case 'ENXIO':
        return new NetError('invalid-argument', ifname, `no such interface (${what}: ${err.message})`, {
          cause: err,
        });
      case 'ENETDOWN':
        return new NetError('disconnected', ifname, `interface is down (${what}: ${err.message})`, {
          cause: err,
        });
      default:
        return new NetError('io', ifname, `${what}: ${err.message}`, { cause: err });
    }
  }
  // koffi missing or an unsupported CPU: keep the HAL's own classification.
  if (err instanceof HalError) {
    return new NetError(err.code, ifname, `${what}: ${err.message}`, { cause: err });
  }
  return new NetError('io', ifname, `${what}: ${String(err)}`, { cause: err });
}

function toolError(ifname: string, what: string, r: RunResult): NetError {
  const text = (r.stderr || r.stdout).trim().slice(0, 500);
  if (/does not exist|not available|Cannot find device/i.test(text)) {
    return new NetError('invalid-argument', ifname, `no such interface (${what}: ${text})`);
  }
  if (/Cannot assign requested address/.test(text)) {
    return new NetError('invalid-argument', ifname, `address not held by this host (${what}: ${text})`);
  }
  if (/Operation not permitted|Permission denied/.test(text)) {
    return new NetError('not-supported', ifname, `${what} needs CAP_NET_ADMIN: ${text}`);
  }
  return new NetError('io', ifname, `${what} exited ${r.code}: ${text}`);
}
