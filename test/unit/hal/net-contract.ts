// One behavioural contract for NetControl drivers: the SimLan in unit tests,
// LinuxNetControl inside a veth-joined namespace pair in the lab. The fixture
// supplies what the contract cannot see through NetControl itself (the other
// side's neighbour table, pulling a link, how time passes).
import { afterEach, describe, expect, it } from 'vitest';
import { isHalError } from '../../../hal/errors.ts';
import type { NetControl } from '../../../hal/net/net.ts';

export interface NetPairFixture {
  readonly a: NetControl;
  readonly b: NetControl;
  readonly ifA: string;
  readonly ifB: string;
  /** A holds ipA/24 and B holds ipB/24 on one segment at the start. */
  readonly ipA: string;
  readonly ipB: string;
  readonly macA: string;
  readonly macB: string;
  /** An address on the segment that nobody holds. */
  readonly freeIp: string;
  /** B's idea of `ip`'s MAC, or null. */
  neighbourOnB(ip: string): Promise<string | null>;
  /** Make B's entry for `ip` point at `mac`, as after the VIP moved. */
  setNeighbourOnB(ip: string, mac: string): Promise<void>;
  /** Administratively down (or up) B's end of the link. */
  setLinkB(up: boolean): Promise<void>;
  /** Await `p` while time passes (SimClock needs driving; real time does not). */
  drive<T>(p: Promise<T>): Promise<T>;
  /** Let `ms` of time pass. */
  pause(ms: number): Promise<void>;
  dispose(): Promise<void>;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return isHalError(err) ? err.code : `untyped: ${String(err)}`;
  }
  return 'resolved';
}

export function netControlContract(name: string, make: () => Promise<NetPairFixture>): void {
  describe(`NetControl contract: ${name}`, () => {
    let fx: NetPairFixture | undefined;
    const fixture = async (): Promise<NetPairFixture> => (fx = await make());

    afterEach(async () => {
      await fx?.dispose();
      fx = undefined;
    });

    /** Poll `check` for up to `ms`: link changes take a moment on real NICs. */
    async function eventually(f: NetPairFixture, check: () => Promise<boolean>, ms = 3000): Promise<boolean> {
      for (let waited = 0; ; waited += 100) {
        if (await check()) return true;
        if (waited >= ms) return false;
        await f.pause(100);
      }
    }

    it('lists the starting address', async () => {
      const f = await fixture();
      expect(await f.a.listAddresses(f.ifA)).toEqual([`${f.ipA}/24`]);
    });

    it('adds and removes an address, both idempotently', async () => {
      const f = await fixture();
      const vip = `${f.freeIp}/24`;
      await f.a.addAddress(f.ifA, vip);
      await f.a.addAddress(f.ifA, vip);
      expect((await f.a.listAddresses(f.ifA)).sort()).toEqual([`${f.ipA}/24`, vip].sort());
      await f.a.removeAddress(f.ifA, vip);
      await f.a.removeAddress(f.ifA, vip);
      expect(await f.a.listAddresses(f.ifA)).toEqual([`${f.ipA}/24`]);
    });

    it('refuses malformed input and unknown interfaces with invalid-argument', async () => {
      const f = await fixture();
      expect(await codeOf(f.a.addAddress(f.ifA, '198.18.200.300/24'))).toBe('invalid-argument');
      expect(await codeOf(f.a.addAddress(f.ifA, '198.18.200.5'))).toBe('invalid-argument');
      expect(await codeOf(f.a.addAddress(f.ifA, '198.18.200.5/33'))).toBe('invalid-argument');
      expect(await codeOf(f.a.listAddresses('../../etc'))).toBe('invalid-argument');
      expect(await codeOf(f.a.linkState('eth0; reboot'))).toBe('invalid-argument');
      expect(await codeOf(f.a.listAddresses('nosuchif0'))).toBe('invalid-argument');
      expect(await codeOf(f.a.linkState('nosuchif0'))).toBe('invalid-argument');
      expect(await codeOf(f.a.probeAddressInUse(f.ifA, 'not-an-ip', 1000))).toBe('invalid-argument');
      expect(await codeOf(f.a.probeAddressInUse(f.ifA, f.ipB, 0))).toBe('invalid-argument');
      expect(await codeOf(f.a.sendGratuitousArp(f.ifA, f.ipA, { count: 0, intervalMs: 0 }))).toBe(
        'invalid-argument',
      );
    });

    it('reports link up, link down after the interface goes down, and recovery', async () => {
      const f = await fixture();
      expect(await f.a.linkState(f.ifA)).toEqual({ operUp: true, carrier: true });
      expect(await f.b.linkState(f.ifB)).toEqual({ operUp: true, carrier: true });
      await f.setLinkB(false);
      expect(await eventually(f, async () => !(await f.b.linkState(f.ifB)).operUp)).toBe(true);
      expect(await f.b.linkState(f.ifB)).toEqual({ operUp: false, carrier: false });
      await f.setLinkB(true);
      expect(await eventually(f, async () => (await f.b.linkState(f.ifB)).operUp)).toBe(true);
      expect(await f.b.linkState(f.ifB)).toEqual({ operUp: true, carrier: true });
    });

    it('gratuitous ARP repoints the peer neighbour entry to our MAC', async () => {
      const f = await fixture();
      await f.setNeighbourOnB(f.ipA, '02:00:00:00:00:99');
      expect(await f.neighbourOnB(f.ipA)).toBe('02:00:00:00:00:99');
      await f.drive(f.a.sendGratuitousArp(f.ifA, f.ipA, { count: 2, intervalMs: 200 }));
      expect(await f.neighbourOnB(f.ipA)).toBe(f.macA);
    });

    it('refuses to announce an address this host does not hold', async () => {
      const f = await fixture();
      expect(await codeOf(f.drive(f.a.sendGratuitousArp(f.ifA, f.freeIp, { count: 1, intervalMs: 0 })))).toBe(
        'invalid-argument',
      );
    });

    it('DAD returns the MAC of a host holding the address, and null for a free one', async () => {
      const f = await fixture();
      expect(await f.drive(f.a.probeAddressInUse(f.ifA, f.ipB, 1000))).toBe(f.macB);
      expect(await f.drive(f.a.probeAddressInUse(f.ifA, f.freeIp, 1000))).toBeNull();
      // Our own address is not a conflict: only other hosts answer.
      expect(await f.drive(f.a.probeAddressInUse(f.ifA, f.ipA, 1000))).toBeNull();
    });
  });
}
