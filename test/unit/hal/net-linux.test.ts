// LinuxNetControl without root: a scripted Runner stands in for ip (its exit
// codes and output as measured on iproute2), a fake ARP socket for the raw
// AF_PACKET one (which needs CAP_NET_RAW), and a fixture tree for
// /sys/class/net. The lab test runs the same driver against real kernels.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { isHalError } from '../../../hal/errors.ts';
import { SyscallError, errnoValue } from '../../../hal/ioctl/errors.ts';
import { encodeArpFrame, encodeArpProbe, encodeGratuitousArp } from '../../../hal/net/arp-frame.ts';
import { parseIpAddrJson } from '../../../hal/net/ip-json.ts';
import { LinuxNetControl } from '../../../hal/net/linux.ts';
import type { ArpSocketOpener } from '../../../hal/net/packet-socket.ts';
import type { RunResult, Runner } from '../../../hal/net/run.ts';

interface Call {
  file: string;
  args: readonly string[];
}

function scripted(...results: RunResult[]): { runner: Runner; calls: Call[] } {
  const calls: Call[] = [];
  const runner: Runner = (file, args) => {
    calls.push({ file, args });
    const r = results.shift();
    return r ? Promise.resolve(r) : Promise.reject(new Error('unexpected extra call'));
  };
  return { runner, calls };
}

const ok = (stdout = ''): RunResult => ({ code: 0, stdout, stderr: '' });
const IP_JSON =
  '[{"ifindex":2,"ifname":"eth0","addr_info":[{"family":"inet","local":"198.18.200.1","prefixlen":24},' +
  '{"family":"inet6","local":"fe80::1","prefixlen":64}]}]';

let sys = '';
beforeAll(async () => {
  sys = await mkdtemp(join(tmpdir(), 'tandem-sysnet-'));
});
afterAll(async () => {
  await rm(sys, { recursive: true, force: true });
});

async function iface(name: string, operstate: string, carrier: string | null): Promise<void> {
  await mkdir(join(sys, name), { recursive: true });
  await writeFile(join(sys, name, 'operstate'), operstate + '\n');
  if (carrier !== null) await writeFile(join(sys, name, 'carrier'), carrier + '\n');
}

/** Sysfs entries our own ARP reads: ifindex, type (1 = Ethernet) and MAC. */
async function arpIface(name: string, ifindex: number, mac: string, type = '1'): Promise<void> {
  await iface(name, 'up', '1');
  await writeFile(join(sys, name, 'ifindex'), `${ifindex}\n`);
  await writeFile(join(sys, name, 'type'), `${type}\n`);
  await writeFile(join(sys, name, 'address'), `${mac}\n`);
}

interface FakeArp {
  opener: ArpSocketOpener;
  opened: { ifname: string; ifindex: number; listen: boolean }[];
  /** Frames sent, with the SimClock time of sending. */
  sent: { atMs: number; hex: string }[];
  /** Frames the next receive() calls return, in order. */
  inbox: Buffer[];
  closed: number;
  receives: number;
  failOpen?: Error;
  failSend?: Error;
}

function fakeArp(clock: SimClock): FakeArp {
  const arp: FakeArp = {
    opened: [],
    sent: [],
    inbox: [],
    closed: 0,
    receives: 0,
    opener: (ifname, ifindex, { listen }) => {
      if (arp.failOpen) throw arp.failOpen;
      arp.opened.push({ ifname, ifindex, listen });
      return {
        send: (frame) => {
          if (arp.failSend) throw arp.failSend;
          arp.sent.push({ atMs: clock.monotonicMs(), hex: frame.toString('hex') });
        },
        receive: () => {
          arp.receives++;
          return arp.inbox.shift() ?? null;
        },
        close: () => {
          arp.closed++;
        },
      };
    },
  };
  return arp;
}

/** Let real I/O (the sysfs fixture reads) finish; SimClock only flushes microtasks. */
async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`never: ${what}`);
}

/** Track a promise's settlement without awaiting it. */
function track<T>(p: Promise<T>): { done: () => boolean; value: () => T | undefined } {
  let done = false;
  let value: T | undefined;
  p.then(
    (v) => {
      done = true;
      value = v;
    },
    () => {
      done = true;
    },
  );
  return { done: () => done, value: () => value };
}

const syscallError = (name: string): SyscallError => new SyscallError('socket', errnoValue(name), 'eth0');

describe('parseIpAddrJson', () => {
  it('keeps IPv4 addresses as CIDRs and skips other families', () => {
    expect(parseIpAddrJson('eth0', IP_JSON)).toEqual(['198.18.200.1/24']);
    expect(parseIpAddrJson('eth0', '[{}]')).toEqual([]);
  });

  it('raises protocol errors on anything unexpected', () => {
    for (const bad of [
      'not json',
      '{}',
      '[1]',
      '[{"addr_info":{}}]',
      '[{"addr_info":[{"family":"inet","local":"1.2.3","prefixlen":24}]}]',
      '[{"addr_info":[{"family":"inet","local":"1.2.3.4","prefixlen":99}]}]',
    ]) {
      expect(() => parseIpAddrJson('eth0', bad), bad).toThrow(expect.objectContaining({ code: 'protocol' }));
    }
  });
});

describe('LinuxNetControl with a scripted runner', () => {
  it('adds with `ip address replace` (idempotent) and skips removing an absent address', async () => {
    const { runner, calls } = scripted(ok(), ok(IP_JSON));
    const net = new LinuxNetControl({ run: runner, sysClassNet: sys });
    await net.addAddress('eth0', '198.18.200.10/24');
    await net.removeAddress('eth0', '198.18.200.10/24');
    expect(calls.map((c) => c.args.join(' '))).toEqual([
      'address replace 198.18.200.10/24 dev eth0',
      '-j -4 address show dev eth0',
    ]);
  });

  it('maps "does not exist" to invalid-argument', async () => {
    const { runner } = scripted({ code: 1, stdout: '', stderr: 'Device "nope" does not exist.\n' });
    const net = new LinuxNetControl({ run: runner });
    await expect(net.listAddresses('nope')).rejects.toSatisfy((e) => isHalError(e, 'invalid-argument'));
  });

  it('never runs a tool or opens a socket for invalid input', async () => {
    const { runner, calls } = scripted();
    const arp = fakeArp(new SimClock());
    const net = new LinuxNetControl({ run: runner, sysClassNet: sys, openArpSocket: arp.opener });
    await expect(net.addAddress('eth0', '10.0.0.1/24; reboot')).rejects.toSatisfy((e) =>
      isHalError(e, 'invalid-argument'),
    );
    await expect(net.probeAddressInUse('-I', '198.18.200.2', 1000)).rejects.toSatisfy((e) =>
      isHalError(e, 'invalid-argument'),
    );
    await expect(net.probeAddressInUse('eth0', '198.18.200.2', 0)).rejects.toSatisfy((e) =>
      isHalError(e, 'invalid-argument'),
    );
    await expect(
      net.sendGratuitousArp('eth0', '198.18.200.1', { count: 1, intervalMs: -1 }),
    ).rejects.toSatisfy((e) => isHalError(e, 'invalid-argument'));
    expect(calls).toEqual([]);
    expect(arp.opened).toEqual([]);
  });
});

describe('LinuxNetControl ARP over a (fake) packet socket', () => {
  const MAC = '02:00:5e:10:00:01';
  const OTHER = '3e:4a:0c:f2:d6:37';
  const VIP = '198.18.200.1';

  async function setup(): Promise<{ clock: SimClock; arp: FakeArp; net: LinuxNetControl; calls: Call[] }> {
    await arpIface('arp0', 5, MAC.toUpperCase());
    const clock = new SimClock();
    const arp = fakeArp(clock);
    // One `ip address show` per announcement of a burst (each checks the address is still held).
    const { runner, calls } = scripted(...Array.from({ length: 5 }, () => ok(IP_JSON)));
    const net = new LinuxNetControl({ run: runner, clock, sysClassNet: sys, openArpSocket: arp.opener });
    return { clock, arp, net, calls };
  }

  it('GARP: `count` announcements `intervalMs` apart, the first at once, resolving after the last', async () => {
    const { clock, arp, net, calls } = await setup();
    const p = track(net.sendGratuitousArp('arp0', VIP, { count: 3, intervalMs: 200 }));
    await until('first announcement', () => arp.sent.length === 1);
    expect(calls.map((c) => c.args.join(' '))).toEqual(['-j -4 address show dev arp0']);
    expect(arp.opened).toEqual([{ ifname: 'arp0', ifindex: 5, listen: false }]);
    await clock.advance(199);
    expect(arp.sent.length).toBe(1);
    await clock.advance(1);
    // Each later send first checks the address is still held (one `ip address show` each).
    await until('second announcement', () => arp.sent.length === 2);
    expect(p.done()).toBe(false);
    await clock.advance(200);
    await until('the burst to end', () => p.done());
    expect(calls.map((c) => c.args.join(' '))).toEqual(Array(3).fill('-j -4 address show dev arp0'));
    const garp = encodeGratuitousArp(MAC, VIP).toString('hex');
    expect(arp.sent).toEqual([0, 200, 400].map((atMs) => ({ atMs, hex: garp })));
    expect(arp.closed).toBe(1);
  });

  it('GARP refuses an address this host does not hold, without opening a socket', async () => {
    const { arp, net } = await setup();
    await expect(
      net.sendGratuitousArp('arp0', '198.18.200.77', { count: 1, intervalMs: 0 }),
    ).rejects.toSatisfy((e) => isHalError(e, 'invalid-argument'));
    expect(arp.opened).toEqual([]);
  });

  it('DAD: probes at once and halfway, listens until the timeout, null when nobody answers', async () => {
    const { clock, arp, net, calls } = await setup();
    const p = track(net.probeAddressInUse('arp0', '198.18.200.2', 200));
    await until('first probe', () => arp.sent.length === 1);
    expect(calls).toEqual([]); // a probe does not need ip
    expect(arp.opened).toEqual([{ ifname: 'arp0', ifindex: 5, listen: true }]);
    await clock.advance(199);
    expect(p.done()).toBe(false);
    await clock.advance(1);
    expect(p.done()).toBe(true);
    expect(p.value()).toBeNull();
    const probe = encodeArpProbe(MAC, '198.18.200.2').toString('hex');
    expect(arp.sent).toEqual([0, 100].map((atMs) => ({ atMs, hex: probe })));
    // Polled on the clock, not once at the end: answers are seen within a few ms.
    expect(arp.receives).toBeGreaterThanOrEqual(200 / 10);
    expect(arp.closed).toBe(1);
  });

  it('DAD: the first frame from another MAC whose sender IP is the address names the holder', async () => {
    const { clock, arp, net } = await setup();
    const ip = '198.18.200.2';
    const p = track(net.probeAddressInUse('arp0', ip, 200));
    await until('first probe', () => arp.sent.length === 1);
    const frame = (senderMac: string, senderIp: string, op = 2): Buffer =>
      encodeArpFrame(MAC, { op, senderMac, senderIp, targetMac: MAC, targetIp: '0.0.0.0' });
    arp.inbox.push(
      encodeArpProbe(MAC, ip), // our own probe, echoed by the socket
      encodeGratuitousArp(MAC, ip), // something of ours speaking for ip: not a conflict
      frame(OTHER, '198.18.200.3'), // another address
      Buffer.from('not a frame'),
      frame(OTHER, ip).subarray(0, 30), // truncated
    );
    await clock.advance(45);
    expect(p.done()).toBe(false);
    arp.inbox.push(frame(OTHER.toUpperCase(), ip, 1)); // its own request counts as well as a reply
    await clock.advance(10);
    expect(p.done()).toBe(true);
    expect(p.value()).toBe(OTHER);
    expect(arp.sent.length).toBe(1); // answered before the halfway probe
    expect(arp.closed).toBe(1);
  });

  it('maps EPERM to not-supported (CAP_NET_RAW) and ENODEV to invalid-argument', async () => {
    const { arp, net } = await setup();
    arp.failOpen = syscallError('EPERM');
    const denied = net.probeAddressInUse('arp0', '198.18.200.2', 200);
    await expect(denied).rejects.toSatisfy((e) => isHalError(e, 'not-supported'));
    await expect(denied).rejects.toThrow(/CAP_NET_RAW/);
    arp.failOpen = syscallError('ENODEV');
    await expect(net.probeAddressInUse('arp0', '198.18.200.2', 200)).rejects.toThrow(/no such interface/);
  });

  it('closes the socket when a send fails (ENETDOWN is disconnected)', async () => {
    const { arp, net } = await setup();
    arp.failSend = syscallError('ENETDOWN');
    await expect(net.sendGratuitousArp('arp0', VIP, { count: 5, intervalMs: 200 })).rejects.toSatisfy((e) =>
      isHalError(e, 'disconnected'),
    );
    expect(arp.opened.length).toBe(1);
    expect(arp.closed).toBe(1);
  });

  it('refuses a missing interface and a non-Ethernet one before opening a socket', async () => {
    const { arp, net } = await setup();
    await arpIface('lo9', 1, '00:00:00:00:00:00', '772');
    await expect(net.probeAddressInUse('absent0', '198.18.200.2', 200)).rejects.toSatisfy((e) =>
      isHalError(e, 'invalid-argument'),
    );
    await expect(net.probeAddressInUse('absent0', '198.18.200.2', 200)).rejects.toThrow(/no such interface/);
    await expect(net.probeAddressInUse('lo9', '198.18.200.2', 200)).rejects.toSatisfy((e) =>
      isHalError(e, 'not-supported'),
    );
    expect(arp.opened).toEqual([]);
  });
});

describe('LinuxNetControl.linkState from a sysfs fixture', () => {
  it('reads operstate and carrier', async () => {
    await iface('up0', 'up', '1');
    await iface('nocar0', 'down', '0');
    await iface('unk0', 'unknown', '1');
    const net = new LinuxNetControl({ sysClassNet: sys });
    expect(await net.linkState('up0')).toEqual({ operUp: true, carrier: true });
    expect(await net.linkState('nocar0')).toEqual({ operUp: false, carrier: false });
    expect(await net.linkState('unk0')).toEqual({ operUp: true, carrier: true });
  });

  it('treats an unreadable carrier of an admin-down link as no carrier, garbage as protocol error', async () => {
    await iface('admdown0', 'down', null);
    await iface('junk0', 'up', 'maybe');
    const net = new LinuxNetControl({ sysClassNet: sys });
    // A missing carrier file is not EINVAL: that is an I/O error, not "down".
    await expect(net.linkState('admdown0')).rejects.toSatisfy((e) => isHalError(e, 'io'));
    await expect(net.linkState('junk0')).rejects.toSatisfy((e) => isHalError(e, 'protocol'));
    await expect(net.linkState('absent0')).rejects.toSatisfy((e) => isHalError(e, 'invalid-argument'));
  });
});
