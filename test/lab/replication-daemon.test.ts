// Issue 7 acceptance, config replication on the real daemons: an operator
// imports a new config on A with tandemctl (inside A); B ends up with the same
// version over the private link and keeps its own addresses. A correctly
// signed but older offer (forged from inside B) is refused with an event.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configFile,
  controlSocket,
  lab,
  liveConfigFile,
  readLog,
  startDaemon,
  stopDaemon,
  waitForLine,
} from '../../tools/lab/configs/daemons.ts';
import { TANDEMCTL } from './fixtures/telemetry-lab.ts';

const FORGE = fileURLToPath(new URL('../../tools/lab/configs/forge-config-offer.ts', import.meta.url));
const IMPORT_FILE = '/run/tandem-lab/replication-import.json';

const ctl = (c: 'A' | 'B', ...args: string[]) =>
  lab(['exec', c, process.execPath, TANDEMCTL, '--socket', controlSocket(c), ...args]);

async function versionOf(c: 'A' | 'B'): Promise<number> {
  const r = await ctl(c, '--json', 'status');
  return (JSON.parse(r.stdout) as { data: { configVersion: number } }).data.configVersion;
}

describe('config replication between the real daemons', () => {
  beforeAll(async () => {
    await lab(['serial-mode', 'pass']);
    const t0 = Date.now();
    await startDaemon('A');
    await startDaemon('B');
    for (const c of ['A', 'B'] as const)
      await waitForLine(
        c,
        'PATH_UP net',
        t0,
        (l) => l.code === 'PATH_UP' && l.data?.['path'] === 'net',
        20_000,
      );
    for (const c of ['A', 'B'] as const) {
      for (let i = 0; i < 100 && (await lab(['exec', c, 'test', '-S', controlSocket(c)])).code !== 0; i++)
        await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    for (const c of ['A', 'B'] as const) await stopDaemon(c);
    rmSync(IMPORT_FILE, { force: true });
  });

  it('tandemctl config import on A: B has the same version within 3 s, with its own addresses', async () => {
    expect(await versionOf('A')).toBe(0);
    expect(await versionOf('B')).toBe(0);
    const changed = JSON.parse(readFileSync(configFile('A'), 'utf8')) as Record<string, unknown>;
    changed['eventlog'] = { maxAgeDays: 30, maxRows: 50_000 };
    writeFileSync(IMPORT_FILE, JSON.stringify(changed));
    const t0 = Date.now();
    const r = await ctl('A', 'config', 'import', IMPORT_FILE);
    expect(r.code, r.stderr).toBe(0);
    expect(await versionOf('A')).toBe(1);
    const applied = await waitForLine(
      'B',
      'CONFIG_APPLIED from peer A',
      t0,
      (l) => l.code === 'CONFIG_APPLIED' && l.data?.['origin'] === 'peer A',
      3000,
    );
    console.log(`B applied A's config ${applied.ts - t0} ms after the import started`);
    expect(await versionOf('B')).toBe(1);
    const b = JSON.parse(readFileSync(liveConfigFile('B'), 'utf8')) as {
      configVersion: number;
      eventlog: { maxRows: number };
      cluster: {
        network: { localAddress: string };
        disk: { initiatorName: string; portal: { host: string } };
      };
    };
    expect(b.configVersion).toBe(1);
    expect(b.eventlog.maxRows).toBe(50_000);
    expect(b.cluster.network.localAddress).toBe('198.18.1.2');
    expect(b.cluster.disk.initiatorName).toBe('iqn.2026-11.invalid.tandem:ctrl-b');
    expect(b.cluster.disk.portal.host).toBe('198.18.3.5');
  });

  it('an older, correctly signed offer is refused with an event; A keeps its version', async () => {
    const t0 = Date.now();
    const forged = await lab(['exec', 'B', process.execPath, FORGE, '0']);
    expect(forged.code, forged.stderr).toBe(0);
    expect(JSON.parse(forged.stdout.trim()) as unknown).toMatchObject({ version: 0 });
    const ev = await waitForLine(
      'A',
      'CONFIG_REPLICATION_REJECT',
      t0,
      (l) => l.code === 'CONFIG_REPLICATION_REJECT',
      3000,
    );
    expect(ev.message).toMatch(/version 0 from peer B is older than local version 1/);
    expect(await versionOf('A')).toBe(1);
    const a = JSON.parse(readFileSync(liveConfigFile('A'), 'utf8')) as { eventlog: { maxRows: number } };
    expect(a.eventlog.maxRows).toBe(50_000);
    expect(readLog('A').filter((l) => l.code === 'CONFIG_APPLIED' && l.ts >= t0)).toEqual([]);
  });
});
