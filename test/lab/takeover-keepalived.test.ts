// The keepalived anchor of the takeover bench: Debian's keepalived in A and B
// (VRRP on lan0, advert 1 s, A priority 150, B 100). A holds the VIP; after
// kill -9 of A's keepalived B answers for it within master-down (3 x advert +
// skew ~ 3.6 s) plus slack; stopping leaves no keepalived and no VIP behind.
import { afterAll, describe, expect, it } from 'vitest';
import { arpRepliers, lanMac } from '../../tools/lab/client/lan-view.ts';
import { TakeoverProbe } from '../../tools/lab/client/probe-driver.ts';
import {
  crashKeepalived,
  dropVip,
  keepalivedPid,
  startKeepalived,
  stopAll,
} from '../../tools/lab/keepalived.ts';
import { tryRun } from '../../tools/lab/run.ts';
import { ADDR, NETNS } from '../../tools/lab/topology.ts';

describe('keepalived anchor', () => {
  let probe: TakeoverProbe | undefined;

  afterAll(async () => {
    await probe?.stop();
    await stopAll();
  });

  it('B takes the VIP about 3.6 s after A’s keepalived is killed -9, and nothing is left running', async () => {
    expect(await arpRepliers()).toEqual([]);
    const [macA, macB] = [await lanMac('A'), await lanMac('B')];
    await startKeepalived('A');
    await startKeepalived('B');
    probe = await TakeoverProbe.start(false, 20_000);
    await probe.arpFrom(macA, 0, 20_000);
    await new Promise((r) => setTimeout(r, 2000));

    const t0 = Date.now();
    crashKeepalived('A');
    await dropVip('A'); // a crashed box answers nothing; the killed keepalived left the address behind
    const arp = await probe.arpFrom(macB, t0, 20_000);
    expect(arp.t - t0).toBeGreaterThan(3000); // master-down is 3 adverts + skew: never sooner
    expect(arp.t - t0).toBeLessThan(6000);
    expect(probe.arpMacsSince(t0)).toEqual([macB]);
    await probe.stop();
    probe = undefined;

    await stopAll();
    expect(keepalivedPid('A')).toBeNull();
    expect(keepalivedPid('B')).toBeNull();
    expect((await tryRun('pgrep', ['-x', 'keepalived'])).code).not.toBe(0);
    for (const ns of [NETNS.A, NETNS.B]) {
      const addrs = await tryRun('ip', ['-n', ns, '-4', '-o', 'address', 'show', 'dev', 'lan0']);
      expect(addrs.stdout).not.toContain(ADDR.lanVip);
    }
  });
});
