// The simulated box as `npm start` runs it, started in-process on virtual
// time: a control socket per controller (the daemon's console server) that
// `tandemctl --controller A|B` finds; the sim console's status, alarms and
// log print exactly what tandemctl prints; and the box prints what changes,
// not the same status over and over.
import { lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { main as tandemctl } from '../../../firmware/console/tandemctl.ts';
import { simSocketPaths } from '../../../firmware/sim/options.ts';
import { startSim, type RunningSim } from '../../../firmware/sim/run.ts';
import { simCommands } from '../../../firmware/sim/console-run.ts';
import { capturedIo } from '../console/captured-io.ts';

describe('the simulated box, started in-process', () => {
  let dir: string;
  let clock: SimClock;
  let sim: RunningSim | undefined;
  const lines: string[] = [];

  const start = () => startSim({ port: 0, sockets: simSocketPaths(), out: (l) => lines.push(l), clock });
  const advance = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 50) await clock.advance(50);
  };
  /** tandemctl ARGS, as an operator runs it, at the box's (frozen) time. */
  const ctl = async (...argv: string[]) => {
    const io = capturedIo(() => clock.wallMs());
    const code = await tandemctl(argv, io);
    return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
  };

  beforeEach(async () => {
    lines.length = 0;
    dir = mkdtempSync(join(tmpdir(), 'tandem-sim-run-'));
    // Where both the sim and tandemctl --controller look (hal/paths.ts simRunDir).
    vi.stubEnv('TANDEM_RUN_DIR', dir);
    clock = new SimClock();
    sim = await start();
  });

  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens one root-only control socket per controller under the run dir and prints their paths', () => {
    for (const c of ['a', 'b']) {
      const path = join(dir, `sim-${c}.sock`);
      const st = lstatSync(path);
      expect(st.isSocket()).toBe(true);
      expect(st.mode & 0o777).toBe(0o600);
    }
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    expect(lines).toContain(`control sockets: A ${join(dir, 'sim-a.sock')}`);
    expect(lines).toContain(`                 B ${join(dir, 'sim-b.sock')}`);
  });

  it('tandemctl --controller B status reads controller B through its socket', async () => {
    await advance(3000);
    const json = await ctl('--controller', 'B', '--json', 'status');
    expect(json.code).toBe(0);
    const direct = await simCommands(sim!.box, 'B')!.handle({
      command: 'status',
      args: {},
      transaction: 't',
    });
    const { transaction: _, ...expected } = direct;
    expect(JSON.parse(json.out)).toMatchObject(expected);
    const a = await ctl('--controller', 'a', '--json', 'status');
    expect((JSON.parse(a.out) as { data: unknown }).data).not.toEqual(expected.data);

    const text = await ctl('--controller', 'B', 'status');
    expect(text).toMatchObject({ code: 0, err: '' });
    // The sim console prints B's status with the very formatter tandemctl uses.
    expect(text.out).toBe(await sim!.execute('status B'));
  });

  it('the sim console’s status, alarms and log are tandemctl’s, for A unless B is named', async () => {
    await advance(3000);
    sim!.box.cut('net');
    await advance(3000);
    const pairs: [string, string[]][] = [
      ['status', ['--controller', 'A', 'status']],
      ['status A', ['--controller', 'A', 'status']],
      ['alarms', ['--controller', 'A', 'alarms']],
      ['alarms B', ['--controller', 'B', 'alarms']],
      ['log', ['--controller', 'A', 'log']],
      [
        'log B --severity warning --limit 3',
        ['--controller', 'B', 'log', '--severity', 'warning', '--limit', '3'],
      ],
    ];
    for (const [line, argv] of pairs) {
      const printed = await sim!.execute(line);
      expect(printed, line).toBe((await ctl(...argv)).out);
    }
    expect(await sim!.execute('alarms B')).toContain('HB_PATH_DOWN');
    expect(await sim!.execute('status B')).not.toBe(await sim!.execute('status A'));
  });

  it('a killed controller’s socket answers that it is not running; after a restart it answers again', async () => {
    expect(await sim!.execute('kill B')).toBe('killed B');
    const dead = await ctl('--controller', 'B', 'status');
    expect(dead.code).toBe(1);
    expect(dead.err).toContain('controller B of the simulated box is not running');
    expect(await sim!.execute('restart B')).toBe('restarted B');
    expect((await ctl('--controller', 'B', 'status')).code).toBe(0);
  });

  it('does not take the sockets of a box that is still running', async () => {
    await expect(start()).rejects.toThrow(/sim-a\.sock is in use: is another simulated box running\?/);
    // The first box still answers.
    expect((await ctl('--controller', 'A', 'status')).code).toBe(0);
  });

  it('without a running box, tandemctl --controller says it cannot reach the socket (exit 3)', async () => {
    await sim!.stop();
    sim = undefined;
    const r = await ctl('--controller', 'B', 'status');
    expect(r.code).toBe(3);
    expect(r.err).toContain(join(dir, 'sim-b.sock'));
  });

  it('prints changes only: transitions, paths, alarms; nothing while nothing changes', async () => {
    await advance(5000);
    const stamped = lines.filter((l) => /^\d\d:\d\d:\d\d\.\d{3} [AB]: /.test(l)).map((l) => l.slice(13));
    for (const c of ['A', 'B']) {
      expect(stamped).toContain(`${c}: booted`);
      expect(stamped).toContain(`${c}: state starting`);
      expect(stamped).toContain(`${c}: serial path up`);
    }
    expect(stamped).toContain('A: group svc running');
    // Each line says something new: no status repeated on a timer.
    expect(stamped.filter((l) => l === 'A: serial path up')).toHaveLength(1);
    expect(lines.some((l) => l.includes('disk-access='))).toBe(false);

    const before = lines.length;
    await advance(10_000);
    expect(lines.slice(before)).toEqual([]);

    sim!.box.cut('serial');
    await advance(3000);
    const after = lines.slice(before).map((l) => l.slice(13));
    expect(after).toContain('A: serial path down');
    expect(after).toContain('B: serial path down');
    expect(after.some((l) => /^A: alarm #\d+ HB_PATH_DOWN \(serial\) raised, /.test(l))).toBe(true);
    const healed = lines.length;
    sim!.box.heal('serial');
    await advance(3000);
    const back = lines.slice(healed).map((l) => l.slice(13));
    expect(back).toContain('A: serial path up');
    expect(back.some((l) => /^A: alarm #\d+ HB_PATH_DOWN \(serial\) cleared$/.test(l))).toBe(true);
  });
});
