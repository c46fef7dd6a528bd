// An in-memory LAN segment for the deterministic simulation: hosts with one
// interface each, per-host addresses, ARP caches that gratuitous ARP updates,
// DAD probes answered by whoever holds the address, and cuttable links.
import type { Clock } from '../clock/clock.ts';
import { SystemClock } from '../clock/system.ts';
import { NetError, checkCidr, checkGarp, checkIfname, checkIpv4, checkTimeout, normalizeMac } from './net.ts';
import type { GarpOptions, LinkState, NetControl } from './net.ts';

export interface SimHostOptions {
  readonly ifname?: string;
  readonly mac?: string;
}

export class SimLan {
  readonly clock: Clock;
  private readonly hosts = new Map<string, SimNetControl>();

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? new SystemClock();
  }

  /** Plug a new host into the segment. */
  addHost(name: string, options: SimHostOptions = {}): SimNetControl {
    if (this.hosts.has(name)) throw new Error(`SimLan: host ${name} already exists`);
    const index = this.hosts.size + 1;
    const mac = normalizeMac(
      options.mac ??
        `02:00:00:00:${((index >> 8) & 0xff).toString(16).padStart(2, '0')}:${(index & 0xff).toString(16).padStart(2, '0')}`,
    );
    if (!mac) throw new Error(`SimLan: bad MAC for ${name}`);
    const host = new SimNetControl(this, name, options.ifname ?? 'eth0', mac);
    this.hosts.set(name, host);
    return host;
  }

  /** What `host` believes each IP's MAC is (a copy). */
  arpCache(host: string): ReadonlyMap<string, string> {
    return new Map(this.host(host).arp);
  }

  /** Set an ARP entry, e.g. a stale one pointing at the old owner of a VIP. */
  setArpEntry(host: string, ip: string, mac: string): void {
    this.host(host).arp.set(ip, mac);
  }

  /** Pull `host`'s cable: no carrier, nothing in or out. */
  cutLink(host: string): void {
    this.host(host).linkUp = false;
  }

  healLink(host: string): void {
    this.host(host).linkUp = true;
  }

  /** @internal Every other host that can hear `from` right now. */
  reachableFrom(from: SimNetControl): SimNetControl[] {
    if (!from.linkUp) return [];
    return [...this.hosts.values()].filter((h) => h !== from && h.linkUp);
  }

  private host(name: string): SimNetControl {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`SimLan: no host ${name}`);
    return h;
  }
}

export class SimNetControl implements NetControl {
  readonly name: string;
  readonly ifname: string;
  readonly mac: string;
  /** @internal */
  readonly arp = new Map<string, string>();
  /** @internal */
  linkUp = true;
  private readonly lan: SimLan;
  private readonly addresses: string[] = [];

  constructor(lan: SimLan, name: string, ifname: string, mac: string) {
    this.lan = lan;
    this.name = name;
    this.ifname = ifname;
    this.mac = mac;
  }

  /** @internal Whether this host holds `ip` on its interface. */
  holds(ip: string): boolean {
    return this.addresses.some((c) => c.split('/')[0] === ip);
  }

  listAddresses(ifname: string): Promise<string[]> {
    return this.op(ifname, () => [...this.addresses]);
  }

  addAddress(ifname: string, cidr: string): Promise<void> {
    return this.op(ifname, () => {
      const c = checkCidr(ifname, cidr);
      if (!this.addresses.includes(c.cidr)) this.addresses.push(c.cidr);
    });
  }

  removeAddress(ifname: string, cidr: string): Promise<void> {
    return this.op(ifname, () => {
      const c = checkCidr(ifname, cidr);
      const i = this.addresses.indexOf(c.cidr);
      if (i >= 0) this.addresses.splice(i, 1);
    });
  }

  linkState(ifname: string): Promise<LinkState> {
    return this.op(ifname, () => ({ operUp: this.linkUp, carrier: this.linkUp }));
  }

  async sendGratuitousArp(ifname: string, ip: string, options: GarpOptions): Promise<void> {
    await this.op(ifname, () => {
      checkIpv4(ifname, ip);
      checkGarp(ifname, options);
      // Like the Linux driver, which refuses to announce an address it does not hold.
      if (!this.holds(ip))
        throw new NetError('invalid-argument', ifname, `address ${ip} not held by this host`);
    });
    for (let i = 0; i < options.count; i++) {
      if (i > 0) await this.lan.clock.sleep(options.intervalMs);
      // As on Linux: an address removed during the burst is not announced any more.
      if (i > 0 && !this.holds(ip))
        throw new NetError('invalid-argument', ifname, `address ${ip} no longer held: burst stopped`);
      for (const other of this.lan.reachableFrom(this)) other.arp.set(ip, this.mac);
    }
  }

  async probeAddressInUse(ifname: string, ip: string, timeoutMs: number): Promise<string | null> {
    await this.op(ifname, () => {
      checkIpv4(ifname, ip);
      checkTimeout(ifname, timeoutMs);
    });
    const holder = this.lan.reachableFrom(this).find((h) => h.holds(ip));
    if (holder) return holder.mac;
    // Nobody answered: the caller waits out the whole timeout, as on Linux.
    await this.lan.clock.sleep(timeoutMs);
    return null;
  }

  // async so validation errors surface as rejections, as with the Linux driver.
  private async op<T>(ifname: string, fn: () => T): Promise<T> {
    await Promise.resolve();
    checkIfname(ifname);
    if (ifname !== this.ifname) throw new NetError('invalid-argument', ifname, 'no such interface');
    return fn();
  }
}
