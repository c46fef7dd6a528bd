import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigManager } from '../../../firmware/config/config-manager.ts';
import type { EventInput, EventSink } from '../../../firmware/events/types.ts';

let dir: string;
let file: string;
let events: EventInput[];
const sink: EventSink = {
  append: (e) => {
    events.push(e);
    return { ...e, id: events.length, ts: 0, monoMs: 0, data: e.data ?? null };
  },
};

function manager(): ConfigManager {
  return new ConfigManager({
    path: file,
    lastGoodPath: join(dir, 'state', 'config.last-good.json'),
    events: sink,
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-config-'));
  file = join(dir, 'etc', 'tandem.json');
  events = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ConfigManager', () => {
  it('runs on defaults with no file, and raises configVersion on each accepted change', async () => {
    const m = manager();
    expect(await m.load()).toEqual({ source: 'defaults', problems: [] });
    expect(m.current().configVersion).toBe(0);
    const r1 = await m.apply({ box: { id: 'lab' } }, 'tandemctl');
    expect(r1.ok && r1.config.configVersion).toBe(1);
    const r2 = await m.apply({ box: { id: 'lab2' } }, 'tandemctl');
    expect(r2.ok && r2.config.configVersion).toBe(2);
    const again = manager();
    expect((await again.load()).source).toBe('file');
    expect(again.current().box.id).toBe('lab2');
    expect(events.map((e) => e.code)).toEqual(['CONFIG_APPLIED', 'CONFIG_APPLIED']);
  });

  it('serialises concurrent changes so versions never collide', async () => {
    const m = manager();
    await m.load();
    const results = await Promise.all([m.apply({}, 'a'), m.apply({}, 'b'), m.apply({}, 'c')]);
    expect(results.map((r) => r.ok && r.config.configVersion)).toEqual([1, 2, 3]);
  });

  it('rejects a bad change with named errors and changes nothing', async () => {
    const m = manager();
    await m.load();
    await m.apply({ box: { id: 'good' } }, 'tandemctl');
    const before = readFileSync(file, 'utf8');
    const r = await m.apply({ cluster: { heartbeat: { warntimeMs: 50_000 } } }, 'mqtt');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.path).toBe('/cluster/heartbeat/deadtimeMs');
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(m.current().configVersion).toBe(1);
    expect(events.at(-1)?.code).toBe('CONFIG_REJECTED');
  });

  it('falls back to the last good copy when the file is corrupt at boot', async () => {
    const m = manager();
    await m.load();
    await m.apply({ box: { id: 'kept' } }, 'tandemctl');
    writeFileSync(file, '{"box": {"id": "BROKEN!"}}');
    const m2 = manager();
    const loaded = await m2.load();
    expect(loaded.source).toBe('last-good');
    expect(loaded.problems[0]).toMatch(/\/box\/id/);
    expect(m2.current().box.id).toBe('kept');
  });

  it('exports with version and without secrets, and imports it back keeping secrets', async () => {
    const m = manager();
    await m.load();
    const key = 'ab'.repeat(32);
    await m.apply({ cluster: { key }, mqtt: { password: 'hunter2' } }, 'tandemctl');
    const text = m.exportText({ nowMs: 0 });
    const exported = JSON.parse(text) as { configVersion: number; config: { cluster: { key: string } } };
    expect(exported.configVersion).toBe(1);
    expect(text).not.toContain(key);
    expect(text).not.toContain('hunter2');
    const r = await m.importText(text);
    expect(r.ok).toBe(true);
    expect(m.current().cluster.key).toBe(key);
    expect(m.current().mqtt.password).toBe('hunter2');
    expect(m.current().configVersion).toBe(2);
  });

  it('rejects a bad import and keeps everything', async () => {
    const m = manager();
    await m.load();
    expect((await m.importText('{not json')).ok).toBe(false);
    const r = await m.importText(
      JSON.stringify({ format: 'tandem-config', config: { eventlog: { maxRows: 5 } } }),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.path).toBe('/eventlog/maxRows');
    expect(m.current().configVersion).toBe(0);
  });

  it('applies replicated configs by version and reports conflicts', async () => {
    const m = manager();
    await m.load();
    await m.apply({ box: { id: 'mine' } }, 'tandemctl');
    const newer = await m.applyReplicated({ configVersion: 3, box: { id: 'peer' } }, 'B');
    expect(newer.ok && newer.config.configVersion).toBe(3);
    const older = await m.applyReplicated({ configVersion: 2, box: { id: 'old' } }, 'B');
    expect(older.decision?.action).toBe('reject');
    const clash = await m.applyReplicated({ configVersion: 3, box: { id: 'different' } }, 'B');
    expect(clash.decision?.action).toBe('conflict');
    expect(m.current().box.id).toBe('peer');
  });
});
