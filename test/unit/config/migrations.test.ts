// Config schema migrations and `upgrade commit`. This firmware has only
// schema 1, so the mechanism runs here on a table of the test's own: schema 1
// named the event log's age limit `eventlog.keepDays`, schema 2 (the form
// schema.ts describes) names it `maxAgeDays`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigManager } from '../../../firmware/config/config-manager.ts';
import {
  checkTable,
  commitRefusals,
  FIRMWARE_SCHEMAS,
  readConfig,
  storedForm,
  upgradeDocument,
  type JsonObject,
  type Migration,
  type PeerUpgradeView,
  type SchemaTable,
} from '../../../firmware/config/migrations.ts';
import { sharedPart } from '../../../firmware/config/replication/shared-fields.ts';
import { CONFIG_SCHEMA_VERSION } from '../../../firmware/config/schema-version.ts';
import { commandDef } from '../../../firmware/commands/registry.ts';
import { peerUpgradeView } from '../../../firmware/commands/upgrade.ts';
import { firmwareVersion } from '../../../firmware/commands/status.ts';
import type { EventInput, EventSink } from '../../../firmware/events/types.ts';
import { fakeContext } from '../commands/fake-context.ts';

/** Moves `from` to `to` inside `eventlog`, when there: pure and total. */
function rename(doc: JsonObject, from: string, to: string): JsonObject {
  const log = doc['eventlog'];
  if (typeof log !== 'object' || log === null || Array.isArray(log) || !(from in log)) return { ...doc };
  const { [from]: value, ...rest } = log as JsonObject;
  return { ...doc, eventlog: { ...rest, [to]: value } };
}

const RENAME: Migration = {
  from: 1,
  description: 'eventlog.keepDays is named eventlog.maxAgeDays',
  up: (doc) => rename(doc, 'keepDays', 'maxAgeDays'),
  down: (doc) => rename(doc, 'maxAgeDays', 'keepDays'),
};
const TABLE: SchemaTable = checkTable({ current: 2, migrations: [RENAME] });

const NEWER =
  'is 3, newer than the config schema 2 this firmware reads; it needs firmware that reads config schema 3';
const MIXED =
  "config changes wait until both controllers run the same firmware (ONTAP's rule): finish the upgrade first";

let dir: string;
let events: EventInput[];
const sink: EventSink = {
  append: (e) => {
    events.push(e);
    return { ...e, id: events.length, ts: 0, monoMs: 0, data: e.data ?? null };
  },
};
const alarms = { raise: () => undefined as never, clear: () => undefined };

function manager(name = 'a'): ConfigManager {
  return new ConfigManager({
    path: join(dir, name, 'tandem.json'),
    lastGoodPath: join(dir, name, 'last-good.json'),
    events: sink,
    alarms,
    schemas: TABLE,
  });
}

function writeDoc(name: string, doc: unknown): void {
  const path = join(dir, name, 'tandem.json');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(doc));
}

const onDisk = (name = 'a') => JSON.parse(readFileSync(join(dir, name, 'tandem.json'), 'utf8')) as JsonObject;
const eventlogOf = (doc: JsonObject) => doc['eventlog'] as JsonObject;
const peer = (configSchema: number | null, firmware: string | null): PeerUpgradeView => ({
  configSchema,
  firmwareVersion: firmware,
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-migrations-'));
  events = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the migration table', () => {
  it("is this firmware's: schema 1 to CONFIG_SCHEMA_VERSION, one step each", () => {
    expect(FIRMWARE_SCHEMAS.current).toBe(CONFIG_SCHEMA_VERSION);
    expect(FIRMWARE_SCHEMAS.migrations.length).toBe(CONFIG_SCHEMA_VERSION - 1);
    expect(() => checkTable({ current: 3, migrations: [RENAME] })).toThrow(/steps 1..2/);
  });

  it('reads an older document in the current form, keeping its schema as the committed one', () => {
    const up = upgradeDocument({ configVersion: 4, eventlog: { keepDays: 30 } }, TABLE);
    expect(up).toEqual({ ok: true, value: { configVersion: 4, eventlog: { maxAgeDays: 30 } } });
    const r = readConfig({ eventlog: { keepDays: 30 } }, TABLE);
    expect(r.ok && r.config.eventlog.maxAgeDays).toBe(30);
    // Schema 2 is read as it is; "schema": 1 is the same as none.
    expect(upgradeDocument({ schema: 2, eventlog: { maxAgeDays: 9 } }, TABLE)).toEqual({
      ok: true,
      value: { schema: 2, eventlog: { maxAgeDays: 9 } },
    });
    expect(upgradeDocument({ schema: 1 }, TABLE)).toEqual({ ok: true, value: {} });
  });

  it('writes a config back at its committed schema', () => {
    const r = readConfig({ eventlog: { keepDays: 30 } }, TABLE);
    if (!r.ok) throw new Error('invalid');
    const stored = storedForm(r.config, TABLE);
    expect(eventlogOf(stored)['keepDays']).toBe(30);
    expect(eventlogOf(stored)['maxAgeDays']).toBeUndefined();
    expect(stored['schema']).toBeUndefined();
    expect(storedForm({ ...r.config, schema: 2 }, TABLE)['schema']).toBe(2);
  });

  it('refuses a newer schema, naming the firmware it needs, and a schema that is not a number', () => {
    expect(upgradeDocument({ schema: 3 }, TABLE)).toEqual({
      ok: false,
      errors: [{ path: '/schema', message: expect.stringContaining(NEWER) as unknown }],
    });
    expect(upgradeDocument({ schema: 'two' }, TABLE).ok).toBe(false);
    expect(upgradeDocument({ schema: 0 }, TABLE).ok).toBe(false);
    // This firmware (schema 1) refuses a schema-2 document the same way.
    const r = readConfig({ schema: 2 });
    expect(r.ok ? '' : r.errors[0]?.message).toContain('it needs firmware that reads config schema 2');
  });
});

describe('ConfigManager with an older schema stored', () => {
  it('loads it migrated, keeps the file as it is, and exports and offers the committed schema', async () => {
    writeDoc('a', { configVersion: 3, eventlog: { keepDays: 30 } });
    const m = manager();
    expect((await m.load()).source).toBe('file');
    expect(m.inForce().eventlog.maxAgeDays).toBe(30);
    expect(m.schemas()).toEqual({ committed: 1, reads: 2 });
    expect(onDisk()).toEqual({ configVersion: 3, eventlog: { keepDays: 30 } });
    const exported = JSON.parse(m.exportText()) as { config: JsonObject };
    expect(eventlogOf(exported.config)['keepDays']).toBe(30);
    expect(exported.config['schema']).toBeUndefined();
    expect(eventlogOf(sharedPart(m.storedDocument()))['keepDays']).toBe(30);
  });

  it('stores an operator change in the committed schema, whatever schema the document is in', async () => {
    writeDoc('a', { configVersion: 3, eventlog: { keepDays: 30 } });
    const m = manager();
    await m.load();
    const r = await m.importText(JSON.stringify({ eventlog: { keepDays: 40 } }), 'test', { merge: true });
    expect(r.ok && r.config.configVersion).toBe(4);
    expect(eventlogOf(onDisk())).toMatchObject({ keepDays: 40 });
    expect(eventlogOf(onDisk())['maxAgeDays']).toBeUndefined();
    // A document in schema 2 is read, and still stored at schema 1 (not committed yet).
    const two = await m.importText(JSON.stringify({ schema: 2, eventlog: { maxAgeDays: 50 } }), 'test', {
      merge: true,
    });
    expect(two.ok).toBe(true);
    expect(onDisk()['schema']).toBeUndefined();
    expect(eventlogOf(onDisk())).toMatchObject({ keepDays: 50 });
    expect(m.inForce().eventlog.maxAgeDays).toBe(50);
    // The copy on disk reads back as it was stored.
    const again = manager();
    await again.load();
    expect(again.inForce().eventlog.maxAgeDays).toBe(50);
  });

  it('refuses a file, an import and a peer offer of a newer schema, saying which firmware is needed', async () => {
    writeDoc('a', { schema: 3, configVersion: 5 });
    const m = manager();
    const loaded = await m.load();
    expect(loaded.source).toBe('refused');
    expect(loaded.problems.join()).toContain(NEWER);

    const b = manager('b');
    await b.load();
    const imported = await b.importText(JSON.stringify({ schema: 3 }), 'test', { merge: true });
    expect(imported.ok ? '' : imported.errors[0]?.message).toContain(NEWER);
    const offered = await b.applyPeerOffer({ schema: 3, configVersion: 9 }, 'peer A');
    expect(offered.ok ? '' : offered.errors[0]?.message).toContain(NEWER);
    expect(b.current().configVersion).toBe(0);
    expect(events.filter((e) => e.code === 'CONFIG_REJECTED').length).toBeGreaterThanOrEqual(2);
  });
});

describe('upgrade commit', () => {
  async function loaded(name = 'a'): Promise<ConfigManager> {
    writeDoc(name, { configVersion: 3, eventlog: { keepDays: 30 } });
    const m = manager(name);
    await m.load();
    return m;
  }

  it('is refused, every reason listed, while the peer reads schema 1 only or runs another firmware', async () => {
    const m = await loaded();
    const onlyOne = await m.commitSchema(peer(1, '2.0.0'), '2.0.0', 'test');
    expect(onlyOne).toEqual({
      ok: false,
      errors: [expect.stringContaining('reads config schema 1 only') as unknown],
    });
    const other = await m.commitSchema(peer(2, '1.9.0'), '2.0.0', 'test');
    expect(other.ok ? [] : other.errors).toEqual([
      'the peer runs firmware 1.9.0, this controller 2.0.0: both must run the same firmware',
    ]);
    const both = await m.commitSchema(peer(1, '1.9.0'), '2.0.0', 'test');
    expect(both.ok ? 0 : both.errors.length).toBe(2);
    const unheard = await m.commitSchema(peer(null, null), '2.0.0', 'test');
    expect(unheard.ok ? 0 : unheard.errors.length).toBe(2);
    expect(m.schemas().committed).toBe(1);
    expect(onDisk()).toEqual({ configVersion: 3, eventlog: { keepDays: 30 } });
    expect(events.filter((e) => e.code === 'CONFIG_SCHEMA_COMMIT_REFUSED')).toHaveLength(4);
  });

  it('writes schema 2 as a new version, which the peer takes by replication; then there is nothing to commit', async () => {
    const a = await loaded('a');
    const b = await loaded('b');
    const r = await a.commitSchema(peer(2, '2.0.0'), '2.0.0', 'test');
    expect(r).toEqual({
      ok: true,
      committed: true,
      from: 1,
      to: 2,
      steps: ['1 → 2: eventlog.keepDays is named eventlog.maxAgeDays'],
      configVersion: 4,
    });
    expect(onDisk('a')).toMatchObject({ schema: 2, configVersion: 4, eventlog: { maxAgeDays: 30 } });
    expect(eventlogOf(onDisk('a'))['keepDays']).toBeUndefined();
    expect(events.map((e) => e.code)).toContain('CONFIG_SCHEMA_COMMITTED');
    // What the replicator offers (replication/replicator.ts): the stored document's box-wide part.
    const offer = sharedPart(a.storedDocument());
    expect(offer['schema']).toBe(2);
    const taken = await b.applyPeerOffer(offer, 'peer A');
    expect(taken.ok && !taken.unchanged).toBe(true);
    expect(b.schemas().committed).toBe(2);
    expect(b.stamp()).toEqual(a.stamp());
    expect(onDisk('b')).toMatchObject({ schema: 2, configVersion: 4, eventlog: { maxAgeDays: 30 } });
    expect(await a.commitSchema(peer(2, '2.0.0'), '2.0.0', 'test')).toMatchObject({
      ok: true,
      committed: false,
      schema: 2,
      message: expect.stringContaining('nothing to commit') as unknown,
    });
    // After the commit a change is stored at schema 2.
    await a.importText(JSON.stringify({ eventlog: { maxAgeDays: 60 } }), 'test', { merge: true });
    expect(onDisk('a')).toMatchObject({ schema: 2, configVersion: 5, eventlog: { maxAgeDays: 60 } });
  });

  it('lists the refusals as pure reasons', () => {
    expect(commitRefusals(peer(2, 'x'), 'x', 2)).toEqual([]);
    expect(commitRefusals(peer(3, 'x'), 'x', 2)).toEqual([]);
  });
});

describe('the mixed window', () => {
  it('refuses operator config changes while the peer runs another firmware, and takes them again after', async () => {
    const m = manager();
    await m.load();
    let view = peer(1, '1.9.0');
    m.watchPeer(() => view, '2.0.0');
    const r = await m.importText(JSON.stringify({ eventlog: { maxRows: 5000 } }), 'operator import', {
      merge: true,
    });
    expect(r.ok ? '' : r.errors[0]?.message).toContain(MIXED);
    const id = await m.setIdentity({ boxId: 'other' }, 'test');
    expect(id.ok ? '' : id.errors[0]?.message).toContain(MIXED);
    expect(m.current().configVersion).toBe(0);
    // The peer's own offers still replicate.
    const offer = { ...sharedPart(m.storedDocument()), configVersion: 1, eventlog: { maxRows: 7000 } };
    expect((await m.applyPeerOffer(offer, 'peer B')).ok).toBe(true);
    view = peer(2, '2.0.0');
    expect(
      (await m.importText(JSON.stringify({ eventlog: { maxRows: 5000 } }), 'x', { merge: true })).ok,
    ).toBe(true);
    view = peer(null, null); // not heard: nothing to wait for
    expect(
      (await m.importText(JSON.stringify({ eventlog: { maxRows: 6000 } }), 'x', { merge: true })).ok,
    ).toBe(true);
  });

  it('refuses config-import through the command with the message', async () => {
    const m = manager();
    await m.load();
    m.watchPeer(() => peer(1, '0.0.1-old'), firmwareVersion());
    const ctx = { ...fakeContext(), config: m };
    const r = await commandDef('config-import').run(ctx, {
      text: JSON.stringify({ eventlog: { maxRows: 5000 } }),
      merge: true,
    });
    expect(r.ok ? '' : r.error).toContain(MIXED);
  });
});

describe('tandemctl upgrade commit', () => {
  function context(m: ConfigManager, configSchema: number | null, firmware: string | null, state = 'alive') {
    const base = fakeContext();
    const status = base.status.current();
    const current = () => ({
      ...status,
      peer: { ...status.peer, state, configSchema, firmwareVersion: firmware },
    });
    return { ...base, config: m, status: { current } } as unknown as Parameters<
      ReturnType<typeof commandDef>['run']
    >[0];
  }

  it('is an admin command that commits, refuses with the reasons, or says there is nothing to commit', async () => {
    const def = commandDef('upgrade-commit');
    expect(def.role).toBe('admin');
    expect(def.cli.words).toEqual(['upgrade', 'commit']);
    writeDoc('a', { configVersion: 1, eventlog: { keepDays: 30 } });
    const m = manager();
    await m.load();
    const refused = await def.run(context(m, 1, '0.0.1-old'), {});
    expect(refused.ok ? '' : refused.error).toMatch(
      /^upgrade commit refused, nothing changed: .*reads config schema 1 only.*; the peer runs firmware 0\.0\.1-old/,
    );
    const dead = await def.run(context(m, 2, firmwareVersion(), 'dead'), {});
    expect(dead.ok ? '' : dead.error).toContain('does not say which config schema');
    const done = await def.run(context(m, 2, firmwareVersion()), {});
    expect(done).toMatchObject({ ok: true, data: { committed: true, from: 1, to: 2, configVersion: 2 } });
    const nothing = await def.run(context(m, 2, firmwareVersion()), {});
    expect(nothing).toMatchObject({ ok: true, data: { committed: false, schema: 2 } });
  });

  it("reads the peer's schema and firmware from the status snapshot (null while dead or unsaid)", () => {
    const status = fakeContext().status.current();
    expect(peerUpgradeView(status)).toEqual({ configSchema: null, firmwareVersion: null });
    const said = {
      ...status,
      peer: { ...status.peer, state: 'alive' as const, configSchema: 2, firmwareVersion: '2.0.0' },
    };
    expect(peerUpgradeView(said)).toEqual({ configSchema: 2, firmwareVersion: '2.0.0' });
    expect(peerUpgradeView({ ...said, peer: { ...said.peer, state: 'dead' as const } })).toEqual({
      configSchema: null,
      firmwareVersion: null,
    });
  });
});
