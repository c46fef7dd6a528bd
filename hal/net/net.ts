// The network-control contract: what failover needs from the data-port NIC
// (move a virtual IP, see the link, announce the IP, check nobody holds it).
// IPv4 only: gratuitous ARP and the ARP probe (RFC 5227) are IPv4 mechanisms.
import { HalError } from '../errors.ts';
import type { HalErrorCode } from '../errors.ts';

export interface LinkState {
  /** The kernel considers the interface operational (operstate up). */
  readonly operUp: boolean;
  /** The physical layer sees a peer (cable in, switch port up). */
  readonly carrier: boolean;
}

export interface GarpOptions {
  /** How many announcements (IPaddr2 sends 5). */
  readonly count: number;
  /** Gap between announcements (IPaddr2: 200 ms). */
  readonly intervalMs: number;
}

export interface NetControl {
  /** IPv4 addresses on the interface as CIDRs, e.g. "198.18.200.1/24". */
  listAddresses(ifname: string): Promise<string[]>;
  /** Idempotent: adding an address already present succeeds. */
  addAddress(ifname: string, cidr: string): Promise<void>;
  /** Idempotent: removing an absent address succeeds. */
  removeAddress(ifname: string, cidr: string): Promise<void>;
  linkState(ifname: string): Promise<LinkState>;
  /** Announce that this host holds `ip` (which must be on `ifname`). */
  sendGratuitousArp(ifname: string, ip: string, options: GarpOptions): Promise<void>;
  /**
   * Duplicate address detection (an RFC 5227 ARP probe): the MAC of another
   * host that answers for `ip` within `timeoutMs`, or null when nobody does.
   */
  probeAddressInUse(ifname: string, ip: string, timeoutMs: number): Promise<string | null>;
}

export class NetError extends HalError {
  readonly ifname: string;
  constructor(code: HalErrorCode, ifname: string, message: string, options?: ErrorOptions) {
    super(code, ifname, message, options);
    this.name = 'NetError';
    this.ifname = ifname;
  }
}

// ---- validation shared by every driver (inputs come from config and CLI) --

// Kernel IFNAMSIZ is 16 including the NUL; '/' and whitespace are illegal, and
// '.'/'..' would walk out of /sys/class/net.
const IFNAME = /^[A-Za-z0-9_][A-Za-z0-9_.:@-]{0,14}$/;

export function checkIfname(ifname: string): void {
  if (typeof ifname !== 'string' || !IFNAME.test(ifname)) {
    throw new NetError('invalid-argument', String(ifname), 'not a valid interface name');
  }
}

export function isIpv4(ip: string): boolean {
  if (typeof ip !== 'string') return false;
  const parts = ip.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

export function checkIpv4(ifname: string, ip: string): void {
  if (!isIpv4(ip))
    throw new NetError('invalid-argument', ifname, `not an IPv4 address: ${JSON.stringify(ip)}`);
}

/** Validate "a.b.c.d/len" and return it in canonical form. */
export function checkCidr(ifname: string, cidr: string): { ip: string; prefix: number; cidr: string } {
  const m = typeof cidr === 'string' ? /^([0-9.]+)\/(\d{1,2})$/.exec(cidr) : null;
  const ip = m?.[1] ?? '';
  const prefix = Number(m?.[2]);
  if (!m || !isIpv4(ip) || !(prefix >= 0 && prefix <= 32)) {
    throw new NetError('invalid-argument', ifname, `not an IPv4 CIDR: ${JSON.stringify(cidr)}`);
  }
  return { ip, prefix, cidr: `${ip}/${prefix}` };
}

export function checkGarp(ifname: string, o: GarpOptions): void {
  if (!Number.isInteger(o.count) || o.count < 1 || o.count > 100) {
    throw new NetError('invalid-argument', ifname, `GARP count must be 1..100, got ${o.count}`);
  }
  if (!Number.isFinite(o.intervalMs) || o.intervalMs < 0 || o.intervalMs > 60_000) {
    throw new NetError('invalid-argument', ifname, `GARP interval must be 0..60000 ms, got ${o.intervalMs}`);
  }
}

export function checkTimeout(ifname: string, timeoutMs: number): void {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > 60_000) {
    throw new NetError('invalid-argument', ifname, `probe timeout must be 1..60000 ms, got ${timeoutMs}`);
  }
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Lower-case colon form, or null if `text` is not a MAC. */
export function normalizeMac(text: string): string | null {
  const mac = text.toLowerCase();
  return MAC.test(mac) ? mac : null;
}
