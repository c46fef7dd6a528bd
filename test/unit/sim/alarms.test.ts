// Alarms tell the truth, on the simulated box (the real controller, virtual
// time): a dead peer is one root alarm with its paths as children; a
// takeover leaves a latched alarm that outlives the peer's return until it
// is acknowledged; a peer with another key or box id is an authentication
// alarm, never a cable fault; and a group nobody runs raises GROUP_DOWN.
// (Maintenance and its alarm: maintenance.test.ts.)
import { afterEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import type { ControllerId } from '../../../firmware/cluster/codes.ts';
import type { TandemConfig } from '../../../firmware/config/schema.ts';
import type { LoggedEvent } from '../../../firmware/events/types.ts';
import { SimBox, type SimBoxOptions } from '../../../firmware/sim/box.ts';

const GROUPS = [{ name: 'svc', preferred: 'A' as const, resources: [{ type: 'dummy', name: 'app' }] }];

/** A box whose controller B can be given another cluster key or box id (a botched config). */
class MismatchedBox extends SimBox {
  bConfig: ((cfg: TandemConfig) => TandemConfig) | undefined;
  override configOf(c: ControllerId): TandemConfig {
    const cfg = super.configOf(c);
    return c === 'B' && this.bConfig !== undefined ? this.bConfig(cfg) : cfg;
  }
}

const otherKey = (cfg: TandemConfig): TandemConfig => ({
  ...cfg,
  cluster: { ...cfg.cluster, key: cfg.cluster.key.replace(/^./, (c) => (c === '0' ? '1' : '0')) },
});
const otherBox = (cfg: TandemConfig): TandemConfig => ({ ...cfg, box: { ...cfg.box, id: 'other-box' } });

describe('alarms on the simulated box', () => {
  let box: MismatchedBox | undefined;
  afterEach(async () => {
    await box?.stop();
    box = undefined;
  });

  function setup(options: Partial<SimBoxOptions> = {}, bConfig?: (cfg: TandemConfig) => TandemConfig) {
    const clock = new SimClock();
    const events: { c: ControllerId; e: LoggedEvent }[] = [];
    const b = new MismatchedBox({
      clock,
      groups: GROUPS,
      ...options,
      onEvent: (c, e) => events.push({ c, e }),
    });
    b.bConfig = bConfig;
    box = b;
    b.start();
    const advance = async (ms: number): Promise<void> => {
      for (let t = 0; t < ms; t += 50) await clock.advance(50);
    };
    const active = (c: ControllerId) => b.alarms(c).active();
    const codes = (c: ControllerId) => active(c).map((a) => a.code);
    /** Alarm raises that controller `c` logged after event index `from`. */
    const raised = (c: ControllerId, from = 0) =>
      events
        .slice(from)
        .filter((x) => x.c === c && (x.e.data as { action?: string } | null)?.action === 'raise')
        .map((x) => x.e.code);
    return { box: b, events, advance, active, codes, raised };
  }

  it('kill A: B raises one PEER_DEAD with the paths under it and a TAKEOVER that stays until acknowledged', async () => {
    const { box, events, advance, active, codes, raised } = setup();
    await advance(4000);
    const mark = events.length;
    await box.kill('A');
    await advance(12_000);
    expect(box.controller('B')?.status.current().state).toBe('active');
    // Exactly the two roots: the condition, and the event an operator must learn of.
    expect(raised('B', mark).sort()).toEqual(['PEER_DEAD', 'TAKEOVER']);
    const dead = active('B').find((a) => a.code === 'PEER_DEAD');
    expect(dead?.subject).toBe('A');
    expect(dead?.children.map((c) => c.subject)).toEqual(['serial', 'net', 'disk']);
    for (const child of dead?.children ?? []) expect(child.message).toMatch(/^down: nothing heard on /);
    const takeover = active('B').find((a) => a.code === 'TAKEOVER');
    expect(takeover).toMatchObject({ subject: 'B', latched: true, severity: 'error' });
    expect(takeover?.message).toMatch(
      /^Controller B fenced A off the shared disk and took over its groups at \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ: the peer stayed silent on every heartbeat path past the takeover wait$/,
    );
    expect(takeover?.remedy).toMatch(/acknowledge/);

    // A returns (a reboot, as after a fence): the condition clears, the takeover stays.
    await box.restart('A');
    await advance(6000);
    expect(box.controller('B')?.status.current().peer.state).toBe('alive');
    expect(codes('B')).not.toContain('PEER_DEAD');
    expect(codes('B')).toContain('TAKEOVER');
    const b = box.controller('B');
    const acked = await b?.commands
      .with({ alarms: box.alarms('B') })
      .handle({ command: 'alarm-ack', args: { id: takeover?.id, by: 'ann' }, transaction: 'ack' });
    expect(acked?.status).toBe('ok');
    expect(codes('B')).not.toContain('TAKEOVER');
    expect(
      box
        .alarms('B')
        .history()
        .find((a) => a.id === takeover?.id),
    ).toMatchObject({
      active: false,
      acknowledgedBy: 'ann',
    });
  });

  it.each([
    ['cluster key', otherKey],
    ['box id', otherBox],
  ])(
    'a peer with another %s is HB_AUTH_FAILED on every path, never a cable or a dead peer',
    async (_, wrong) => {
      const { box, advance, active, raised } = setup({ groups: [] }, wrong);
      await advance(8000);
      for (const c of ['A', 'B'] as const) {
        expect(raised(c)).not.toContain('HB_PATH_DOWN');
        expect(raised(c)).not.toContain('PEER_DEAD');
        const auth = active(c).find((a) => a.code === 'HB_AUTH_FAILED');
        expect(auth?.subject).toBe(c === 'A' ? 'B' : 'A');
        expect(auth?.message).toMatch(/the cluster key or box id differ between the controllers$/);
        expect(auth?.remedy).toMatch(/^Not a cable fault/);
        expect(auth?.children.map((x) => x.subject)).toEqual(['serial', 'net', 'disk']);
      }
      // The operator fixes B's config and restarts it: accepted heartbeats clear the alarm.
      box.bConfig = undefined;
      await box.restart('B');
      await advance(4000);
      for (const c of ['A', 'B'] as const) {
        expect(box.controller(c)?.status.current().peer.state).toBe('alive');
        expect(active(c).map((a) => a.code)).not.toContain('HB_AUTH_FAILED');
      }
    },
  );

  it('one cut path while the peer lives stays its own HB_PATH_DOWN', async () => {
    const { box, advance, active } = setup({ groups: [] });
    await advance(3000);
    box.cut('serial');
    await advance(3000);
    for (const c of ['A', 'B'] as const)
      expect(active(c).map((a) => [a.code, a.subject])).toEqual([
        ['HB_PATH_DOWN', 'serial'],
        ['WATCHDOG_DISABLED', ''],
      ]);
  });

  it('a path already down when the peer dies folds under PEER_DEAD, and is its own alarm again once the peer returns', async () => {
    const { box, advance, active } = setup({ groups: [] });
    await advance(3000);
    box.cut('serial');
    await advance(3000);
    expect(active('A').map((a) => a.code)).toContain('HB_PATH_DOWN');
    await box.kill('B');
    await advance(3000);
    // The conditions (the takeover that follows is an event, latched).
    const roots = active('A').filter((a) => !a.latched && a.code !== 'WATCHDOG_DISABLED');
    expect(roots.map((a) => a.code)).toEqual(['PEER_DEAD']);
    expect(roots[0]?.children.find((c) => c.subject === 'serial')?.message).toMatch(/^down: /);
    await box.restart('B');
    await advance(4000);
    expect(
      active('A')
        .filter((a) => !a.latched)
        .map((a) => [a.code, a.subject]),
    ).toEqual([
      ['HB_PATH_DOWN', 'serial'],
      ['WATCHDOG_DISABLED', ''],
    ]);
  });

  it('a group that starts nowhere raises GROUP_DOWN after the grace, cleared once it runs', async () => {
    const { box, advance, active } = setup();
    box.ledger.brokenStarts.add('A/app');
    box.ledger.brokenStarts.add('B/app');
    await advance(30_000);
    expect(box.ledger.holdersOf('app')).toEqual([]);
    for (const c of ['A', 'B'] as const) {
      const down = active(c).find((a) => a.code === 'GROUP_DOWN');
      expect(down?.subject).toBe('svc');
      expect(down?.message).toMatch(/^Group svc runs on no controller although A and B could run it: /);
    }
    box.ledger.brokenStarts.clear();
    const cleaned = await box
      .controller('A')
      ?.commands.handle({ command: 'cleanup', args: {}, transaction: 'c' });
    expect(cleaned?.status).toBe('ok');
    await box.controller('B')?.commands.handle({ command: 'cleanup', args: {}, transaction: 'c' });
    await advance(10_000);
    expect(box.ledger.holdersOf('app')).toHaveLength(1);
    for (const c of ['A', 'B'] as const) expect(active(c).map((a) => a.code)).not.toContain('GROUP_DOWN');
  });
});
