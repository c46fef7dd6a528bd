// The firmware's MQTT clients leave mqtt-packet's number cache empty (6.3 MB
// of heap in each process otherwise: firmware/telemetry/client-memory.ts).
// Each client runs in a child process of its own; a plain client is the
// control that shows the cache fills without the option.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./_client-memory-child.ts', import.meta.url));

async function cachedNumbers(client: string): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, [CHILD, client], { timeout: 15_000 });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  const r = JSON.parse(last) as { packets: number; cachedNumbers: number };
  expect(r.packets).toBeGreaterThanOrEqual(2);
  return r.cachedNumbers;
}

describe('MQTT clients and the number cache', { timeout: 20_000 }, () => {
  it('a plain mqtt client fills it (the control)', async () => {
    expect(await cachedNumbers('plain')).toBe(65_536);
  });

  it('the telemetry (daemon) leaves it empty', async () => {
    expect(await cachedNumbers('telemetry')).toBe(0);
  });

  it('the status feed (panel, web) leaves it empty', async () => {
    expect(await cachedNumbers('feed')).toBe(0);
  });
});
