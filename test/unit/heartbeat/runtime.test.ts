// The heartbeat runtime on sim drivers: forged and corrupted input never
// counts, a failing port is reopened with backoff, and the sim datagram
// network's faults behave.
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { HalError } from '../../../hal/errors.ts';
import { SimDatagramNetwork } from '../../../hal/net/datagram-sim.ts';
import { SimSerialCable } from '../../../hal/serial/sim.ts';
import { encodeHeartbeat } from '../../../firmware/cluster/message.ts';
import { LAB_TIMING } from '../../../firmware/cluster/timing.ts';
import { HeartbeatRuntime } from '../../../firmware/heartbeat/runtime.ts';
import { SerialPath } from '../../../firmware/heartbeat/serial-path.ts';
import { UdpPath } from '../../../firmware/heartbeat/udp-path.ts';
import { RegistryCommands } from '../../../firmware/commands/dispatch.ts';
import { parseSimCommand } from '../../../firmware/sim/console.ts';
import { ownVersions } from '../../../firmware/heartbeat/own-versions.ts';

const KEY = new Uint8Array(32).fill(7);

function pair(clock: SimClock) {
  const cable = new SimSerialCable({ clock, pathA: '/dev/a', pathB: '/dev/b' });
  const net = new SimDatagramNetwork({ clock });
  const make = (self: 'A' | 'B') =>
    new HeartbeatRuntime({
      clock,
      self,
      boxId: 9,
      key: KEY,
      timing: LAB_TIMING,
      report: () => ({
        state: 'standby',
        groups: [],
        configVersion: 1,
        maintenance: { on: false, epoch: 0 },
        resources: [],
      }),
      drivers: [
        new SerialPath({ link: self === 'A' ? cable.a : cable.b, clock }),
        new UdpPath({
          path: 'net',
          clock,
          makeSocket: () => net.createSocket(),
          localAddress: self === 'A' ? '10.0.0.1' : '10.0.0.2',
          peerAddress: self === 'A' ? '10.0.0.2' : '10.0.0.1',
          port: 7788,
        }),
      ],
    });
  return { cable, net, a: make('A'), b: make('B') };
}

describe('heartbeat runtime', () => {
  it('forged datagrams are counted as bad-mac and do not keep the net path up', async () => {
    const clock = new SimClock();
    const { net, a, b } = pair(clock);
    a.start();
    b.start();
    await clock.advance(1000);
    expect(a.membership.pathState('net')).toBe('up');
    await b.stop(); // the genuine peer is gone
    const forger = net.createSocket();
    await forger.bind('10.0.0.2', 40000);
    const forged = encodeHeartbeat(
      {
        boxId: 9,
        controller: 'B',
        incarnation: 5n,
        seq: 1,
        versions: ownVersions(),
        senderMonoMs: 0,
        role: 'standby',
        state: 'standby',
        groups: [],
        configVersion: 1,
        maintenance: { on: false, epoch: 0 },
        health: { seesPeer: 0, diskAccess: false, resources: [] },
      },
      new Uint8Array(32).fill(8),
    );
    const timer = clock.every(50, () => void forger.send(forged, '10.0.0.1', 7788));
    await clock.advance(2000);
    timer.cancel();
    expect(a.membership.pathState('net')).toBe('down');
    expect(a.membership.peerState()).toBe('dead');
    expect(a.counters().rejected.net?.['bad-mac']).toBeGreaterThan(30);
    await a.stop();
  });

  it('corrupted serial bytes are dropped by framing; the path follows genuine traffic', async () => {
    const clock = new SimClock();
    const { cable, a, b } = pair(clock);
    a.start();
    b.start();
    await clock.advance(1000);
    // Seeded, so the same bits flip on every run (Math.random made this flaky).
    let seed = 20261121;
    const rng = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    cable.corrupt(0.3, rng);
    await clock.advance(2000);
    expect(a.membership.pathState('serial')).toBe('down');
    expect(a.membership.pathState('net')).toBe('up');
    const serial = a.counters().drivers.serial ?? {};
    // A flipped bit lands in a header or in a body: either way the frame is refused.
    expect((serial['crcErrors'] ?? 0) + (serial['headerErrors'] ?? 0)).toBeGreaterThan(0);
    cable.corrupt(0);
    await clock.advance(1000);
    expect(a.membership.pathState('serial')).toBe('up');
    await a.stop();
    await b.stop();
  });

  it('a serial port that fails is reopened with backoff and the path comes back', async () => {
    const clock = new SimClock();
    const { cable, a, b } = pair(clock);
    const transport: string[] = [];
    a.on('transport', (t) => transport.push(`${t.path}:${t.up ? 'up' : 'down'}`));
    a.start();
    b.start();
    await clock.advance(1000);
    cable.failOpen(new HalError('disconnected', '/dev/a', 'gone'), cable.a);
    cable.failPort(cable.a, new HalError('disconnected', '/dev/a', 'USB adapter pulled'));
    await clock.advance(6000);
    expect(a.membership.pathState('serial')).toBe('up');
    expect(transport).toEqual(['serial:up', 'net:up', 'serial:down', 'serial:up']);
    await a.stop();
    await b.stop();
  });
});

describe('daemon commands and sim console', () => {
  it('answers status/peer/paths and says honestly what is not implemented', async () => {
    const status = { current: () => ({ peer: { paths: [] } }) as never, onChange: () => () => undefined };
    const cmds = new RegistryCommands({
      status,
      counters: () => ({ sent: 0, accepted: {}, rejected: {}, drivers: {} }),
      host: () => undefined,
    });
    expect(await cmds.handle({ command: 'paths', args: {}, transaction: 't1' })).toMatchObject({
      status: 'ok',
      transaction: 't1',
    });
    expect(
      await cmds.handle({ command: 'switchover', args: { group: 'db' }, transaction: 't2' }),
    ).toMatchObject({
      status: 'error',
      error: 'command switchover: this node runs no failover core',
    });
    expect(await cmds.handle({ command: 'nope' as never, args: {}, transaction: 't3' })).toMatchObject({
      status: 'error',
    });
  });

  it('parses operator fault commands and names what is wrong', () => {
    expect(parseSimCommand('cut serial')).toEqual({ kind: 'cut', path: 'serial' });
    expect(parseSimCommand(' kill a ')).toEqual({ kind: 'kill', controller: 'A' });
    expect(parseSimCommand('cut lan')).toMatchObject({ kind: 'error' });
    expect(parseSimCommand('reboot')).toMatchObject({ kind: 'error' });
    expect(parseSimCommand('')).toMatchObject({ kind: 'error' });
  });
});
