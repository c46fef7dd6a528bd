// The panel process on a board whose LCD adapter and GPIO chip are absent
// (a VM, a board whose driver failed): it reports both faults and keeps
// running, so the keys, the LEDs and an upgrade's health check ("panel
// process alive") do not depend on the LCD being there. It used to exit.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const PANEL = fileURLToPath(new URL('../../../firmware/panel/main.ts', import.meta.url));
/** Device paths no machine has: the adapter and the chip are absent. */
const ABSENT_BUS = '/dev/tandem-test-absent-i2c';
const ABSENT_CHIP = '/dev/tandem-test-absent-gpiochip';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-panel-process-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the panel process without its hardware', () => {
  it('reports the LCD and GPIO faults, stays up, and stops cleanly on SIGTERM', async () => {
    const config = join(dir, 'tandem.json');
    writeFileSync(
      config,
      JSON.stringify({
        panel: { lcd: { bus: ABSENT_BUS }, gpio: { chip: ABSENT_CHIP } },
        // No broker answers here: the feed retries quietly.
        mqtt: { local: { url: 'mqtt://127.0.0.1:9' } },
      }),
    );
    const child = spawn(process.execPath, [PANEL], {
      env: {
        PATH: process.env['PATH'] ?? '',
        TANDEM_CONFIG_FILE: config,
        TANDEM_STATE_DIR: dir,
        TANDEM_CONTROLLER_ID: 'A',
        TANDEM_CONTROL_SOCKET: join(dir, 'control.sock'),
        NODE_NO_WARNINGS: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 8000;
      while (!(out.includes('lcd fault') && out.includes('gpio fault')) && child.exitCode === null) {
        if (Date.now() > deadline) break;
        await new Promise((r) => child.stdout.once('data', r).once('close', r));
      }
      expect(out).toMatch(new RegExp(`lcd fault: lcd 20x4 on ${ABSENT_BUS} .*disconnected`));
      expect(out).toContain(`gpio fault: ${ABSENT_CHIP}: open failed: ENOENT`);
      expect(child.exitCode, out).toBeNull();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 10_000);
});
