// LinuxNetControl without root: a scripted Runner stands in for ip/arping
// (their exit codes and output as measured on iputils 20221126 / iproute2)
// and a fixture tree stands in for /sys/class/net. The lab test runs the
// same driver against real kernels.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { isHalError } from '../../../hal/errors.ts';
import { parseIpAddrJson } from '../../../hal/net/ip-json.ts';
import { LinuxNetControl } from '../../../hal/net/linux.ts';
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

  it('sends one arping -U per announcement, spaced on the clock', async () => {
    const clock = new SimClock();
    const { runner, calls } = scripted(ok(), ok(), ok());
    const net = new LinuxNetControl({ run: runner, clock });
    const p = net.sendGratuitousArp('eth0', '198.18.200.1', { count: 3, intervalMs: 200 });
    await clock.advance(0);
    expect(calls.length).toBe(1);
    await clock.advance(200);
    expect(calls.length).toBe(2);
    await clock.advance(200);
    await p;
    expect(calls.length).toBe(3);
    expect(calls[0]?.args).toEqual(['-U', '-c', '1', '-I', 'eth0', '198.18.200.1']);
  });

  it('DAD: exit 0 is free, exit 1 with a reply is the holder MAC, exit 1 without one is an error', async () => {
    const reply =
      'ARPING 198.18.200.2 from 0.0.0.0 eth0\nUnicast reply from 198.18.200.2 [3E:4A:0C:F2:D6:37]  0.560ms\n';
    const { runner, calls } = scripted(
      ok('Received 0 response(s)\n'),
      { code: 1, stdout: reply, stderr: '' },
      { code: 1, stdout: '', stderr: "arping: invalid argument: '0.5'\n" },
    );
    const net = new LinuxNetControl({ run: runner });
    expect(await net.probeAddressInUse('eth0', '198.18.200.2', 1500)).toBeNull();
    expect(calls[0]?.args).toEqual(['-D', '-f', '-w', '2', '-I', 'eth0', '198.18.200.2']);
    expect(await net.probeAddressInUse('eth0', '198.18.200.2', 1000)).toBe('3e:4a:0c:f2:d6:37');
    await expect(net.probeAddressInUse('eth0', '198.18.200.2', 1000)).rejects.toSatisfy((e) =>
      isHalError(e, 'io'),
    );
  });

  it('never runs a tool for invalid input', async () => {
    const { runner, calls } = scripted();
    const net = new LinuxNetControl({ run: runner });
    await expect(net.addAddress('eth0', '10.0.0.1/24; reboot')).rejects.toSatisfy((e) =>
      isHalError(e, 'invalid-argument'),
    );
    await expect(net.probeAddressInUse('-I', '198.18.200.2', 1000)).rejects.toSatisfy((e) =>
      isHalError(e, 'invalid-argument'),
    );
    expect(calls).toEqual([]);
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
