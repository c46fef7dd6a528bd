// `npm start`'s front panels (issue #14 item 7): both controllers' panels
// read back from their simulated HD44780s, on the system clock, fed by the
// embedded broker. A fault typed into the sim console shows on them within
// a second: A's panel says its firmware is down (the Last Will) and B's
// shows the takeover alert once B is active; a key on the console presses a
// panel button (Mute: the daemon's mute command).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { simSocketPaths } from '../../../firmware/sim/options.ts';
import { startSim, type RunningSim } from '../../../firmware/sim/run.ts';

describe('the front panels of the simulated box', () => {
  let dir: string;
  let sim: RunningSim | undefined;
  let view: { t: number; lines: string[] }[] = [];
  const lines: string[] = [];

  const lcd = (c: 'A' | 'B', v: string[]): string =>
    v
      .slice(1, -2)
      .map((l) => (c === 'A' ? l.slice(1, 21) : l.slice(26, 46)))
      .join('\n');
  const until = async (what: string, test: (v: string[]) => boolean, ms: number): Promise<number> => {
    const end = Date.now() + ms;
    for (;;) {
      const hit = view.find((v) => test(v.lines));
      if (hit) return hit.t;
      if (Date.now() > end)
        throw new Error(
          `${what}: not within ${ms} ms; last view:\n${view.at(-1)?.lines.join('\n')}\n${lines.join('\n')}`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  beforeEach(async () => {
    vi.useRealTimers();
    dir = mkdtempSync(join(tmpdir(), 'tandem-sim-panels-'));
    vi.stubEnv('TANDEM_RUN_DIR', dir);
    view = [];
    lines.length = 0;
    sim = await startSim({
      port: 0,
      sockets: simSocketPaths(),
      out: (l) => lines.push(l),
      panelView: (v) => view.push({ t: Date.now(), lines: v }),
    });
  });

  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows both panels; a kill typed on the console shows on them within a second', async () => {
    await until(
      'both summaries',
      (v) => lcd('A', v).includes('sim-box') && lcd('B', v).includes('sim-box'),
      20_000,
    );
    await until('A active', (v) => lcd('A', v).includes('A* active'), 20_000);
    view = [];
    const killed = Date.now();
    expect(await sim!.execute('kill A')).toBe('killed A');
    const down = await until('A firmware down', (v) => lcd('A', v).includes('FIRMWARE DOWN (A)'), 1000);
    expect(down - killed).toBeLessThan(1000);
    // B goes active after its takeover wait; its alert is on the LCD within a second of that.
    await until('B active', () => lines.some((l) => /B: state taking-over → active/.test(l)), 20_000);
    const active = Date.now();
    await until('B alert', (v) => /^! /m.test(lcd('B', v)), 1000);
    expect(Date.now() - active).toBeLessThan(1000);
    // The LEDs: A's status LED is off (firmware down), B's is green (active).
    const last = view.at(-1)!.lines.at(-1)!;
    expect(last.slice(0, 25)).toMatch(/status off/);
    expect(last.slice(25)).toMatch(/status green/);
  }, 40_000);

  it("presses a panel's buttons from the console", async () => {
    // Once A runs the group: the takeover alert of its start (which Up and Down do not pass) is over.
    await until('A active on its summary', (v) => lcd('A', v).includes('A* active'), 20_000);
    expect(await sim!.execute('key A down')).toBe('A panel: down');
    await until('paths screen on A', (v) => lcd('A', v).includes('Paths to B'), 2000);
    expect(await sim!.execute('key C up')).toMatch(/^\? key needs A or B/);
    expect(await sim!.execute('key A sideways')).toMatch(/^\? key: no button/);
  }, 30_000);
});
