// Issue 14 item 8: the front panel in the lab. Each controller runs the real
// daemon (lab config plus `mqtt.local`), its own mosquitto on loopback inside
// its namespace, and the panel process with the sim display and GPIO drivers
// (what a person would see: the HD44780's memory and the lines' levels).
// Kill A's firmware: A's panel shows "firmware down" (its Last Will);
// B's LCD shows the takeover alert and B's buzzer sounds within 1 s of B
// going active; the status LEDs follow; Mute silences; a new alarm re-arms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  labOk,
  startDaemon,
  startPair,
  stopDaemon,
  toState,
  waitForLine,
} from '../../tools/lab/configs/daemons.ts';
import type { PanelLook } from '../../firmware/panel/hardware.ts';
import type { Controller } from '../../tools/lab/topology.ts';
import {
  panelConfig,
  startLocalBroker,
  startPanel,
  type LabPanel,
  type LocalBroker,
} from './fixtures/panel-lab.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function lookFor(
  p: LabPanel,
  what: string,
  since: number,
  test: (l: PanelLook) => boolean,
  timeoutMs: number,
): Promise<PanelLook> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = p.looks.find((l) => l.t >= since && test(l));
    if (hit !== undefined) return hit;
    if (Date.now() > deadline) {
      const last = p.looks.at(-1);
      throw new Error(
        `panel: no ${what} within ${timeoutMs} ms; last look ${JSON.stringify(last)}\n${p.logs.slice(-10).join('\n')}`,
      );
    }
    await sleep(20);
  }
}

/** The level an output had at time t (the last look at or before it). */
const at = (p: LabPanel, t: number): PanelLook | undefined => p.looks.filter((l) => l.t <= t).at(-1);

describe('the front panel on the lab box (issue 14)', () => {
  const brokers: LocalBroker[] = [];
  const panels: Partial<Record<Controller, LabPanel>> = {};

  async function startA(): Promise<void> {
    const t0 = Date.now();
    await startDaemon('A', {}, panelConfig('A'));
    await waitForLine('A', 'A registered', t0, (l) => l.code === 'PR_REGISTERED', 15_000);
  }

  beforeAll(async () => {
    brokers.push(await startLocalBroker('A'), await startLocalBroker('B'));
    await startPair(panelConfig);
    panels.A = startPanel('A');
    panels.B = startPanel('B');
    for (const c of ['A', 'B'] as const)
      await lookFor(panels[c]!, `${c}'s summary`, 0, (l) => l.lcd[0]?.startsWith('lab-box') === true, 30_000);
  }, 120_000);

  afterAll(async () => {
    for (const p of Object.values(panels)) await p.stop();
    await stopDaemon('A');
    await stopDaemon('B');
    for (const b of brokers) await b.stop();
  });

  it('A killed: A says firmware down, B alerts and sounds within 1 s of going active, LEDs follow, Mute silences, a new alarm re-arms', async () => {
    const a = panels.A!;
    const b = panels.B!;
    // Before: A active (green), B standby ready to take over (amber, steady).
    expect(at(a, Date.now())?.statusGreen).toBe(true);
    expect(at(b, Date.now())?.statusAmber).toBe(true);

    const killed = Date.now();
    await labOk(['kill', 'A']);
    const down = await lookFor(
      a,
      'FIRMWARE DOWN on A',
      killed,
      (l) => l.lcd[0]?.startsWith('FIRMWARE DOWN') === true,
      2000,
    );
    expect(down.t - killed).toBeLessThan(2000);
    expect(down.statusGreen === true || down.statusAmber === true).toBe(false);

    const active = (await waitForLine('B', 'B active', killed, toState('active'), 20_000)).ts;
    const alert = await lookFor(b, 'an alert on B', killed, (l) => l.lcd[0]?.startsWith('! ') === true, 5000);
    const buzz = await lookFor(b, "B's buzzer", killed, (l) => l.buzzer === true, 5000);
    console.log(
      `panel: firmware down on A ${down.t - killed} ms after the kill; on B, from active: alert ${alert.t - active} ms, buzzer ${buzz.t - active} ms`,
    );
    expect(alert.t - active).toBeLessThan(1000);
    expect(buzz.t - active).toBeLessThan(1000);
    await lookFor(b, "B's status LED green", active, (l) => l.statusGreen === true, 2000);
    await lookFor(b, "B's fault LED", active, (l) => l.fault === true, 3000);

    // Mute on B's panel: the daemon's mute; the buzzer stays off.
    const muted = Date.now();
    await b.press('mute');
    await waitForLine('B', 'mute', muted, (l) => l.code === 'BUZZER_MUTED', 3000);
    await sleep(1000);
    const quiet = Date.now();
    await sleep(4000);
    expect(b.looks.filter((l) => l.t >= quiet && l.buzzer === true)).toEqual([]);
    expect(at(b, Date.now())?.buzzer).not.toBe(true);

    // A new alarm re-arms: A back (standby), then killed again: a new PEER_DEAD.
    const back = Date.now();
    await startA();
    await waitForLine('B', 'peer A alive', back, (l) => l.code === 'PEER_ALIVE', 20_000);
    await lookFor(a, "A's summary again", back, (l) => l.lcd[0]?.startsWith('lab-box') === true, 20_000);
    await sleep(1000);
    const again = Date.now();
    await labOk(['kill', 'A']);
    await waitForLine(
      'B',
      'PEER_DEAD again',
      again,
      (l) => l.code === 'PEER_DEAD' && /ALARM/.test(l.message),
      10_000,
    );
    await lookFor(b, "B's buzzer re-armed", again, (l) => l.buzzer === true, 5000);
  }, 120_000);
});
