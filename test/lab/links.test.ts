// Each cuttable network link really carries traffic, really stops carrying it
// when cut (carrier drops), and carries it again when healed.
import { describe, expect, it } from 'vitest';
import { ADDR } from '../../tools/lab/topology.ts';
import { labOk, labStatus, ping } from './lab-helpers.ts';

const cases = [
  { link: 'private', from: 'A', to: ADDR.privB },
  { link: 'lan-a', from: 'client', to: ADDR.lanA },
  { link: 'lan-b', from: 'client', to: ADDR.lanB },
  { link: 'sas-a', from: 'A', to: ADDR.enclSasA },
  { link: 'sas-b', from: 'B', to: ADDR.enclSasB },
] as const;

describe('network links', () => {
  for (const c of cases) {
    it(`${c.link}: ${c.from} reaches ${c.to}, not after cut, again after heal`, async () => {
      expect(await ping(c.from, c.to)).toBe(0);
      await labOk(['cut', c.link]);
      try {
        expect(await ping(c.from, c.to)).not.toBe(0);
      } finally {
        await labOk(['heal', c.link]);
      }
      expect(await ping(c.from, c.to)).toBe(0);
    });
  }

  it('a cut drops the controller-side carrier (far end set down)', async () => {
    await labOk(['cut', 'lan-a']);
    try {
      const s = await labStatus();
      const lanA = s.links.find((l) => l.node === 'A' && l.ifname === 'lan0');
      const bridgeSide = s.links.find((l) => l.node === 'lan' && l.ifname === 'a-lan');
      expect(bridgeSide?.admin).toBe('down');
      expect(lanA?.admin).toBe('up');
      // Admin up but operationally down: the carrier is gone, as with a pulled cable.
      expect(lanA?.operstate).toBe('DOWN');
    } finally {
      await labOk(['heal', 'lan-a']);
    }
  });

  it('B reaches the client and NOC over the LAN, and A over the private link', async () => {
    expect(await ping('B', ADDR.lanClient)).toBe(0);
    expect(await ping('B', ADDR.lanNoc)).toBe(0);
    expect(await ping('B', ADDR.privA)).toBe(0);
  });
});
