// The vip agent on a simulated LAN: duplicate-address refusal, add, ARP
// bursts (first and refresh) reaching the client's cache, monitor, stop.
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { SimLan } from '../../../hal/net/sim.ts';
import { runAction } from '../../../firmware/resources/agent.ts';
import { VipAgent, DEFAULT_GARP } from '../../../firmware/resources/agents/vip.ts';
import { fakeRunner } from './fakes.ts';

const VIP = '198.18.2.10';

function setup() {
  const clock = new SimClock();
  const lan = new SimLan({ clock });
  const a = lan.addHost('a', { ifname: 'lan0' });
  const client = lan.addHost('client', { ifname: 'lan0' });
  const agent = new VipAgent(
    {
      name: 'vip',
      address: VIP,
      prefix: 24,
      interface: 'lan0',
      garp: DEFAULT_GARP,
      probeTimeoutMs: 1000,
      monitorIntervalMs: 5000,
    },
    a,
  );
  const deps = { clock, run: fakeRunner().run };
  const act = async (action: 'start' | 'stop' | 'monitor' | 'validate', ms = 3000) => {
    const p = runAction(agent, action, deps);
    await clock.advance(ms);
    return p;
  };
  return { clock, lan, a, client, agent, act };
}

describe('vip agent', () => {
  it('probes, adds the address and announces it so the client ARP cache points at us', async () => {
    const { a, lan, act } = setup();
    const r = await act('start');
    expect(r.code).toBe(0);
    expect(await a.listAddresses('lan0')).toEqual([`${VIP}/24`]);
    expect(lan.arpCache('client').get(VIP)).toBe(a.mac);
    expect((await act('monitor')).code).toBe(0);
  });

  it('start returns after the first announcement; the repeats of the burst follow on the clock', async () => {
    const { a, lan, clock, agent } = setup();
    const p = runAction(agent, 'start', { clock, run: fakeRunner().run });
    await clock.advance(DEFAULT_GARP.intervalMs - 1);
    await clock.advance(1000); // probe window (the sim waits it out)
    expect((await p).code).toBe(0);
    lan.setArpEntry('client', VIP, '02:00:00:00:0e:ee');
    await clock.advance(DEFAULT_GARP.intervalMs);
    expect(lan.arpCache('client').get(VIP)).toBe(a.mac);
  });

  it('a stop during the burst leaves no error for the next start to report', async () => {
    const { act } = setup();
    await act('start', 1001);
    expect((await act('stop', 0)).code).toBe(0);
    await act('start', 3000);
    expect((await act('monitor')).code).toBe(0);
  });

  it('sends a refresh burst later, fixing a cache that went stale after the first', async () => {
    const { a, lan, clock, act } = setup();
    await act('start', 2000);
    lan.setArpEntry('client', VIP, '02:00:00:00:0e:ee'); // e.g. the old owner's late reply
    await clock.advance(DEFAULT_GARP.refreshDelayMs + 1000);
    expect(lan.arpCache('client').get(VIP)).toBe(a.mac);
  });

  it('refuses when a stranger already answers for the address, with the VIP_IN_USE alarm', async () => {
    const { a, client, act } = setup();
    await client.addAddress('lan0', `${VIP}/24`);
    const r = await act('start');
    expect(r.code).toBe(1);
    expect(r.reason).toBe(`${VIP} is already answered by ${client.mac}; not taking it`);
    expect(r.alarm).toEqual({ code: 'VIP_IN_USE', subject: VIP, params: { mac: client.mac } });
    expect(await a.listAddresses('lan0')).toEqual([]);
  });

  it('monitor fails when the link drops and reports not-running once removed; stop is idempotent', async () => {
    const { a, lan, act } = setup();
    await act('start');
    lan.cutLink('a');
    expect(await act('monitor')).toMatchObject({ code: 1, reason: 'lan0 link is down' });
    lan.healLink('a');
    expect((await act('stop')).code).toBe(0);
    expect((await act('stop')).code).toBe(0);
    expect(await a.listAddresses('lan0')).toEqual([]);
    expect((await act('monitor')).code).toBe(7);
  });

  it('will not start on a dead link', async () => {
    const { lan, act } = setup();
    lan.cutLink('a');
    expect(await act('start')).toMatchObject({ code: 1, reason: 'lan0 link is down' });
  });

  it('a stop cancels the pending refresh burst', async () => {
    const { lan, clock, act } = setup();
    await act('start', 2000);
    await act('stop', 0);
    lan.setArpEntry('client', VIP, '02:00:00:00:0e:ee');
    await clock.advance(10_000);
    expect(lan.arpCache('client').get(VIP)).toBe('02:00:00:00:0e:ee');
  });
});
