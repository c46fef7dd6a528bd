// The config file is read with a bound: a path naming /dev/zero or a huge
// file is refused at LIMITS.config.bytes, with an error naming the limit,
// without the rest being read (quickly, in bounded memory); and a config too
// big to be read back is never stored.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigManager } from '../../../firmware/config/config-manager.ts';
import { defaultConfig } from '../../../firmware/config/validate.ts';
import { LIMITS } from '../../../firmware/core/limits.ts';

const LIMIT = LIMITS.config.bytes;
const overLimit = (path: string) => `${path}: more than the ${LIMIT}-byte limit`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-config-size-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function manager(path: string): ConfigManager {
  return new ConfigManager({ path, lastGoodPath: join(dir, 'state', 'config.last-good.json') });
}

/** Time (ms, not faked) and growth of the process's buffers while `run` goes. */
async function measured<T>(run: () => Promise<T>): Promise<{ value: T; ms: number; bufferGrowth: number }> {
  const buffersBefore = process.memoryUsage().arrayBuffers;
  const t0 = process.hrtime.bigint();
  const value = await run();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { value, ms, bufferGrowth: process.memoryUsage().arrayBuffers - buffersBefore };
}

describe('config file size limit at boot', () => {
  it('reads a file at the limit', async () => {
    const file = join(dir, 'tandem.json');
    const text = JSON.stringify(defaultConfig());
    writeFileSync(file, text + ' '.repeat(LIMIT - Buffer.byteLength(text)));
    expect(readFileSync(file).length).toBe(LIMIT);
    expect(await manager(file).load()).toEqual({ source: 'file', problems: [] });
  });

  it('refuses a file one byte over the limit, naming the limit', async () => {
    const file = join(dir, 'tandem.json');
    const text = JSON.stringify(defaultConfig());
    writeFileSync(file, text + ' '.repeat(LIMIT + 1 - Buffer.byteLength(text)));
    expect(await manager(file).load()).toEqual({ source: 'refused', problems: [overLimit(file)] });
  });

  it('refuses a 1 GB file without reading it: quickly, in bounded memory', async () => {
    const file = join(dir, 'huge.json');
    writeFileSync(file, '{"configVersion": 1');
    truncateSync(file, 1024 ** 3); // sparse: costs no disk
    const { value, ms, bufferGrowth } = await measured(() => manager(file).load());
    expect(value).toEqual({ source: 'refused', problems: [overLimit(file)] });
    expect(ms).toBeLessThan(2000);
    expect(bufferGrowth).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses /dev/zero without reading it: quickly, in bounded memory', async () => {
    const { value, ms, bufferGrowth } = await measured(() => manager('/dev/zero').load());
    expect(value).toEqual({ source: 'refused', problems: [overLimit('/dev/zero')] });
    expect(ms).toBeLessThan(2000);
    expect(bufferGrowth).toBeLessThan(16 * 1024 * 1024);
  });

  it('falls back to the last good copy only when asked, as for any invalid file', async () => {
    const file = join(dir, 'tandem.json');
    const first = manager(file);
    await first.load();
    expect(
      (await first.apply({ ...defaultConfig(), box: { id: 'box-1' } }, 'test', { identity: true })).ok,
    ).toBe(true);
    const huge = join(dir, 'huge.json');
    writeFileSync(huge, '');
    truncateSync(huge, 1024 ** 3);
    const m = new ConfigManager({ path: huge, lastGoodPath: join(dir, 'state', 'config.last-good.json') });
    expect(await m.load({ useLastGood: true })).toEqual({ source: 'last-good', problems: [overLimit(huge)] });
    expect(m.current().box.id).toBe('box-1');
  });

  it('never stores a config too big to be read back, and keeps the one stored', async () => {
    const file = join(dir, 'etc', 'tandem.json');
    mkdirSync(join(dir, 'etc'));
    const m = manager(file);
    await m.load();
    const stored = { ...defaultConfig(), eventlog: { ...defaultConfig().eventlog, maxAgeDays: 30 } };
    expect((await m.apply(stored, 'test')).ok).toBe(true);
    const before = readFileSync(file, 'utf8');
    // Valid (the CA has no length limit of its own), but over the limit once stored.
    const big = { ...stored, mqtt: { ...defaultConfig().mqtt, tls: { ca: 'x'.repeat(LIMIT) } } };
    const r = await m.apply(big, 'test');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors[0]?.message).toMatch(new RegExp(`more than the ${LIMIT}-byte limit`));
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(m.current().mqtt.tls.ca).toBeUndefined();
    expect(await manager(file).load()).toEqual({ source: 'file', problems: [] });
  });
});
