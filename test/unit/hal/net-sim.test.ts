import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { SimLan } from '../../../hal/net/sim.ts';
import { netControlContract } from './net-contract.ts';

/** Await `p` while advancing the SimClock in steps, so clock sleeps finish. */
async function drive<T>(clock: SimClock, p: Promise<T>): Promise<T> {
  let settled = false;
  const watched = p.finally(() => {
    settled = true;
  });
  for (let i = 0; i < 10_000 && !settled; i++) await clock.advance(10);
  return watched;
}

function setup(): { clock: SimClock; lan: SimLan } {
  const clock = new SimClock();
  return { clock, lan: new SimLan({ clock }) };
}

netControlContract('SimNetControl on a SimLan', async () => {
  const { clock, lan } = setup();
  const a = lan.addHost('a');
  const b = lan.addHost('b');
  await a.addAddress('eth0', '198.18.200.1/24');
  await b.addAddress('eth0', '198.18.200.2/24');
  return {
    a,
    b,
    ifA: 'eth0',
    ifB: 'eth0',
    ipA: '198.18.200.1',
    ipB: '198.18.200.2',
    macA: a.mac,
    macB: b.mac,
    freeIp: '198.18.200.99',
    neighbourOnB: (ip) => Promise.resolve(lan.arpCache('b').get(ip) ?? null),
    setNeighbourOnB: (ip, mac) => Promise.resolve(lan.setArpEntry('b', ip, mac)),
    setLinkB: (up) => Promise.resolve(up ? lan.healLink('b') : lan.cutLink('b')),
    drive: (p) => drive(clock, p),
    pause: (ms) => clock.advance(ms),
    dispose: () => Promise.resolve(),
  };
});

describe('SimLan specifics', () => {
  it('GARP reaches every other connected host, not the sender, not a cut host', async () => {
    const { clock, lan } = setup();
    const a = lan.addHost('a');
    lan.addHost('b');
    lan.addHost('c');
    await a.addAddress('eth0', '198.18.200.10/24');
    lan.cutLink('c');
    await drive(clock, a.sendGratuitousArp('eth0', '198.18.200.10', { count: 1, intervalMs: 0 }));
    expect(lan.arpCache('b').get('198.18.200.10')).toBe(a.mac);
    expect(lan.arpCache('c').has('198.18.200.10')).toBe(false);
    expect(lan.arpCache('a').has('198.18.200.10')).toBe(false);
  });

  it('GARP announcements are spaced by intervalMs on the clock', async () => {
    const { clock, lan } = setup();
    const a = lan.addHost('a');
    lan.addHost('b');
    await a.addAddress('eth0', '198.18.200.10/24');
    let done = false;
    const p = a.sendGratuitousArp('eth0', '198.18.200.10', { count: 3, intervalMs: 200 }).then(() => {
      done = true;
    });
    await clock.advance(399);
    expect(done).toBe(false);
    await clock.advance(1);
    await p;
    expect(done).toBe(true);
  });

  it('an address removed during a burst is not announced any more (the new owner would hear it)', async () => {
    const { clock, lan } = setup();
    const a = lan.addHost('a');
    const b = lan.addHost('b');
    await a.addAddress('eth0', '198.18.200.10/24');
    const p = a
      .sendGratuitousArp('eth0', '198.18.200.10', { count: 5, intervalMs: 200 })
      .catch((e: unknown) => e);
    await clock.advance(250);
    await a.removeAddress('eth0', '198.18.200.10/24');
    await b.addAddress('eth0', '198.18.200.10/24');
    await clock.advance(1000);
    expect(String(await p)).toMatch(/no longer held: burst stopped/);
    // b now holds it; a's later sends never reached the LAN: a probe from a third host sees b.
    const c = lan.addHost('c');
    const probe = c.probeAddressInUse('eth0', '198.18.200.10', 100);
    await clock.advance(100);
    expect(await probe).toBe(b.mac);
  });

  it('a cut sender cannot see holders: DAD waits the timeout and finds nobody', async () => {
    const { clock, lan } = setup();
    const a = lan.addHost('a');
    const b = lan.addHost('b');
    await b.addAddress('eth0', '198.18.200.2/24');
    lan.cutLink('a');
    const started = clock.monotonicMs();
    expect(await drive(clock, a.probeAddressInUse('eth0', '198.18.200.2', 500))).toBeNull();
    expect(clock.monotonicMs() - started).toBeGreaterThanOrEqual(500);
    lan.healLink('a');
    expect(await a.probeAddressInUse('eth0', '198.18.200.2', 500)).toBe(b.mac);
  });

  it('refuses duplicate host names and malformed MACs', () => {
    const { lan } = setup();
    lan.addHost('a');
    expect(() => lan.addHost('a')).toThrow(/already exists/);
    expect(() => lan.addHost('z', { mac: 'zz:00:00:00:00:00' })).toThrow(/bad MAC/);
  });
});
