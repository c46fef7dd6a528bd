import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigManager } from '../../../firmware/config/config-manager.ts';
import type { TandemConfig } from '../../../firmware/config/schema.ts';
import type { EventInput, EventSink } from '../../../firmware/events/types.ts';

let dir: string;
let file: string;
let events: EventInput[];
let alarms: string[];
const sink: EventSink = {
  append: (e) => {
    events.push(e);
    return { ...e, id: events.length, ts: 0, monoMs: 0, data: e.data ?? null };
  },
};
const alarmLog = {
  raise: (code: string, o?: { params?: Record<string, string | number> }) => {
    alarms.push(`raise ${code} ${JSON.stringify(o?.params ?? {})}`);
    return undefined as never;
  },
  clear: (code: string) => {
    alarms.push(`clear ${code}`);
    return undefined;
  },
};

function manager(): ConfigManager {
  return new ConfigManager({
    path: file,
    lastGoodPath: join(dir, 'state', 'config.last-good.json'),
    events: sink,
    alarms: alarmLog,
  });
}

const codes = () => events.map((e) => e.code);
const raised = (code: string) => alarms.filter((a) => a.startsWith(`raise ${code}`));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-config-'));
  file = join(dir, 'etc', 'tandem.json');
  events = [];
  alarms = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ConfigManager: loading', () => {
  it('runs on defaults with no file, and says so with an alarm and a log line', async () => {
    const m = manager();
    expect(await m.load()).toEqual({ source: 'defaults', problems: [] });
    expect(m.current().configVersion).toBe(0);
    expect(codes()).toEqual(['CONFIG_FALLBACK']);
    expect(raised('CONFIG_FALLBACK')[0]).toContain('embedded default');
  });

  it('refuses an invalid file, naming the field, and offers the last good copy without using it', async () => {
    const m = manager();
    await m.load();
    await m.apply({ eventlog: { maxRows: 5000 } }, 'tandemctl');
    writeFileSync(file, '{"configVersion": 4294967296}');
    events = [];
    const refused = await manager().load();
    expect(refused).toMatchObject({ source: 'refused', lastGoodVersion: 1 });
    expect(refused.problems.join()).toMatch(/\/configVersion/);
    expect(codes()).toEqual(['CONFIG_INVALID']);
    expect(events[0]?.severity).toBe('critical');

    const told = manager();
    const loaded = await told.load({ useLastGood: true });
    expect(loaded.source).toBe('last-good');
    expect(told.current().eventlog.maxRows).toBe(5000);
    expect(raised('CONFIG_FALLBACK').at(-1)).toContain('last good (version 1)');
  });

  it('refuses a file with a key given twice', async () => {
    mkdirSync(join(dir, 'etc'));
    writeFileSync(file, '{"box": {"id": "a"}, "box": {"id": "b"}}');
    const r = await manager().load({ useLastGood: true });
    expect(r.source).toBe('refused');
    expect(r.problems.join()).toMatch(/\/box: is given twice/);
  });
});

describe('ConfigManager: changes', () => {
  it('raises configVersion on each accepted change and serialises concurrent ones', async () => {
    const m = manager();
    await m.load();
    const results = await Promise.all(
      [1000, 2000, 3000].map((maxRows) => m.apply({ eventlog: { maxRows } }, 'x')),
    );
    expect(results.map((r) => r.ok && r.config.configVersion)).toEqual([1, 2, 3]);
    const again = manager();
    expect((await again.load()).source).toBe('file');
    expect(again.current().eventlog.maxRows).toBe(3000);
  });

  it('rejects a bad change with named errors and changes nothing', async () => {
    const m = manager();
    await m.load();
    await m.apply({ eventlog: { maxRows: 5000 } }, 'tandemctl');
    const before = readFileSync(file, 'utf8');
    const r = await m.apply({ cluster: { heartbeat: { warntimeMs: 50_000 } } }, 'mqtt');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.path).toBe('/cluster/heartbeat/deadtimeMs');
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(m.current().configVersion).toBe(1);
    expect(codes().at(-1)).toBe('CONFIG_REJECTED');
  });

  it('an unchanged document keeps its version and writes nothing', async () => {
    const m = manager();
    await m.load();
    await m.apply({ eventlog: { maxRows: 5000 } }, 'tandemctl');
    const r = await m.importText(JSON.stringify({ eventlog: { maxRows: 5000 } }));
    expect(r.ok && [r.unchanged, r.config.configVersion]).toEqual([true, 1]);
    expect(codes().at(-1)).toBe('CONFIG_UNCHANGED');
  });

  it('refuses to version a change past what the heartbeat carries', async () => {
    mkdirSync(join(dir, 'etc'));
    writeFileSync(file, JSON.stringify({ configVersion: 0xffff_ffff }));
    const m = manager();
    await m.load();
    const r = await m.apply({ eventlog: { maxRows: 5000 } }, 'x');
    expect(!r.ok && r.errors[0]?.path).toBe('/configVersion');
  });
});

describe('ConfigManager: live settings and restarts', () => {
  it('applies live settings at once; others wait for a restart, and the version in force stays', async () => {
    const m = manager();
    await m.load();
    const seen: TandemConfig[] = [];
    m.onLiveChange((c) => seen.push(c));

    const live = await m.apply({ eventlog: { maxRows: 5000 } }, 'x');
    expect(live.ok && [live.live, live.restart]).toEqual([['/eventlog/maxRows'], []]);
    expect(seen.map((c) => c.eventlog.maxRows)).toEqual([5000]);
    expect(m.inForceVersion()).toBe(1);

    const later = await m.apply({ eventlog: { maxRows: 5000 }, failover: { fenceDelayMs: 0 } }, 'x');
    expect(later.ok && [later.live, later.restart]).toEqual([[], ['/failover/fenceDelayMs']]);
    expect(m.current().configVersion).toBe(2);
    expect(m.inForceVersion()).toBe(1);
    expect(m.inForce().failover.fenceDelayMs).toBe(5000);
    expect(raised('RESTART_REQUIRED')[0]).toContain('/failover/fenceDelayMs');

    // A live change meanwhile applies at once; the restart still waits.
    const third = await m.apply({ eventlog: { maxRows: 6000 }, failover: { fenceDelayMs: 0 } }, 'x');
    expect(third.ok && [third.live, third.restart]).toEqual([
      ['/eventlog/maxRows'],
      ['/failover/fenceDelayMs'],
    ]);
    expect(m.inForce().eventlog.maxRows).toBe(6000);
    expect(m.inForceVersion()).toBe(1);

    // Putting it back means nothing waits any more.
    const back = await m.apply({ eventlog: { maxRows: 6000 } }, 'x');
    expect(back.ok && back.restart).toEqual([]);
    expect(m.inForceVersion()).toBe(4);
    expect(alarms.at(-1)).toBe('clear RESTART_REQUIRED');

    // A new process runs what is stored.
    const fresh = manager();
    await fresh.load();
    expect(fresh.inForceVersion()).toBe(4);
  });
});

describe('ConfigManager: import', () => {
  it('exports without secrets; the export imports back unchanged, keeping the secrets', async () => {
    const m = manager();
    await m.load();
    const key = 'ab'.repeat(32);
    await m.setIdentity({ key }, 'tandemctl');
    await m.apply({ cluster: { key }, mqtt: { password: 'hunter2' } }, 'tandemctl');
    const text = m.exportText({ nowMs: 0 });
    expect(JSON.parse(text)).toMatchObject({ configVersion: 2 });
    expect(text).not.toContain(key);
    expect(text).not.toContain('hunter2');
    const r = await m.importText(text);
    expect(r.ok && r.unchanged).toBe(true);
    expect(m.current().cluster.key).toBe(key);
    expect(m.current().mqtt.password).toBe('hunter2');
    expect(m.current().configVersion).toBe(2);
  });

  it('rejects a bad import, duplicate keys and deep nesting, and keeps everything', async () => {
    const m = manager();
    await m.load();
    expect((await m.importText('{not json')).ok).toBe(false);
    const bad = await m.importText(
      JSON.stringify({ format: 'tandem-config', config: { eventlog: { maxRows: 5 } } }),
    );
    expect(!bad.ok && bad.errors[0]?.path).toBe('/eventlog/maxRows');
    const twice = await m.importText('{"eventlog": {"maxRows": 5000, "maxRows": 6000}}');
    expect(!twice.ok && twice.errors).toEqual([
      { path: '/eventlog/maxRows', message: 'is given twice (only one may stay)' },
    ]);
    const deep = await m.importText('{"a":'.repeat(100) + '1' + '}'.repeat(100));
    expect(!deep.ok && deep.errors[0]?.message).toMatch(/nested deeper/);
    expect(m.current().configVersion).toBe(0);
  });

  it('refuses a partial document unless told to merge it', async () => {
    const m = manager();
    await m.load();
    await m.apply({ eventlog: { maxRows: 5000 }, failover: { fenceDelayMs: 0 } }, 'x');
    const partial = JSON.stringify({ eventlog: { maxRows: 7000 } });
    const refused = await m.importText(partial);
    expect(!refused.ok && refused.errors.map((e) => e.path)).toEqual(['/failover/fenceDelayMs']);
    expect(!refused.ok && refused.errors[0]?.message).toMatch(/--merge/);
    const merged = await m.importText(partial, 'x', { merge: true });
    expect(merged.ok).toBe(true);
    expect(m.current().eventlog.maxRows).toBe(7000);
    expect(m.current().failover.fenceDelayMs).toBe(0);
  });

  it('never changes box id or cluster key by import; setIdentity does', async () => {
    const m = manager();
    await m.load();
    const r = await m.importText(JSON.stringify({ box: { id: 'other' } }));
    expect(!r.ok && r.errors.map((e) => e.path)).toEqual(['/box/id']);
    expect(!r.ok && r.errors[0]?.message).toMatch(/set-identity/);
    const merged = await m.importText(JSON.stringify({ cluster: { key: 'cd'.repeat(32) } }), 'x', {
      merge: true,
    });
    expect(!merged.ok && merged.errors.map((e) => e.path)).toEqual(['/cluster/key']);
    const set = await m.setIdentity({ boxId: 'other' }, 'tandemctl');
    expect(set.ok && [set.config.box.id, set.restart]).toEqual(['other', ['/box/id']]);
  });
});

describe('ConfigManager: replication', () => {
  it('applies replicated configs by version and reports conflicts', async () => {
    const m = manager();
    await m.load();
    await m.apply({ eventlog: { maxRows: 5000 } }, 'tandemctl');
    const newer = await m.applyReplicated({ configVersion: 3, eventlog: { maxRows: 6000 } }, 'B');
    expect(newer.ok && newer.config.configVersion).toBe(3);
    expect(m.inForceVersion()).toBe(3);
    const older = await m.applyReplicated({ configVersion: 2, eventlog: { maxRows: 7000 } }, 'B');
    expect(older.decision?.action).toBe('reject');
    const clash = await m.applyReplicated({ configVersion: 3, eventlog: { maxRows: 8000 } }, 'B');
    expect(clash.decision?.action).toBe('conflict');
    expect(m.current().eventlog.maxRows).toBe(6000);
  });
});
