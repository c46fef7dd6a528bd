// NetControl on iproute2 (`ip -j`), sysfs and iputils arping. The firmware
// runs inside its own network namespace, so commands run unprefixed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock/clock.ts';
import { SystemClock } from '../clock/system.ts';
import { paths } from '../paths.ts';
import { parseIpAddrJson } from './ip-json.ts';
import { NetError, checkCidr, checkGarp, checkIfname, checkIpv4, checkTimeout, normalizeMac } from './net.ts';
import type { GarpOptions, LinkState, NetControl } from './net.ts';
import { execRunner } from './run.ts';
import type { RunResult, Runner } from './run.ts';

export interface LinuxNetOptions {
  readonly sysClassNet?: string;
  readonly clock?: Clock;
  readonly ipBin?: string;
  readonly arpingBin?: string;
  readonly run?: Runner;
}

const IP_TIMEOUT_MS = 5000;

export class LinuxNetControl implements NetControl {
  private readonly sysClassNet: string;
  private readonly clock: Clock;
  private readonly ip: string;
  private readonly arping: string;
  private readonly run: Runner;

  constructor(options: LinuxNetOptions = {}) {
    this.sysClassNet = options.sysClassNet ?? paths.sysClassNet;
    this.clock = options.clock ?? new SystemClock();
    this.ip = options.ipBin ?? '/usr/sbin/ip';
    this.arping = options.arpingBin ?? '/usr/bin/arping';
    this.run = options.run ?? execRunner;
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
    // One arping per announcement with our own timer: arping's -i takes whole
    // seconds only, and IPaddr2/keepalived space announcements 200 ms apart.
    for (let i = 0; i < options.count; i++) {
      if (i > 0) await this.clock.sleep(options.intervalMs);
      // -U: unsolicited ARP request, source = target = ip; exit 0 once sent.
      const r = await this.run(this.arping, ['-U', '-c', '1', '-I', ifname, ip], IP_TIMEOUT_MS);
      if (r.code !== 0) throw toolError(ifname, 'arping -U', r);
    }
  }

  async probeAddressInUse(ifname: string, ip: string, timeoutMs: number): Promise<string | null> {
    checkIfname(ifname);
    checkIpv4(ifname, ip);
    checkTimeout(ifname, timeoutMs);
    // arping's -w takes whole seconds, so the deadline rounds up to one.
    const seconds = Math.ceil(timeoutMs / 1000);
    const r = await this.run(
      this.arping,
      ['-D', '-f', '-w', String(seconds), '-I', ifname, ip],
      seconds * 1000 + IP_TIMEOUT_MS,
    );
    // -D exit codes: 0 = no reply (free); 1 = a reply (in use) -- but 1 also
    // means a bad argument, so a reply line must be present to count.
    if (r.code === 0) return null;
    const m = /reply from (\S+) \[([0-9A-Fa-f:]+)\]/.exec(r.stdout);
    if (r.code === 1 && m?.[1] === ip) {
      const mac = normalizeMac(m[2] ?? '');
      if (mac) return mac;
      throw new NetError('protocol', ifname, `arping printed a malformed MAC ${JSON.stringify(m[2])}`);
    }
    throw toolError(ifname, 'arping -D', r);
  }
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
    return new NetError('not-supported', ifname, `${what} needs CAP_NET_ADMIN/CAP_NET_RAW: ${text}`);
  }
  return new NetError('io', ifname, `${what} exited ${r.code}: ${text}`);
}
