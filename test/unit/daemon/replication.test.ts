// Config replication between two controllers on the sim datagram network and
// virtual time: each side has its own ConfigManager (files in a temp dir),
// and the "heartbeat" version each sees of the other is the other's real
// configVersion, as the heartbeat would carry it.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { SimDatagramNetwork } from '../../../hal/net/datagram-sim.ts';
import { AlarmManager } from '../../../firmware/alarms/alarm-manager.ts';
import type { ControllerId } from '../../../firmware/cluster/codes.ts';
import { ConfigManager } from '../../../firmware/config/config-manager.ts';
import { EventLog } from '../../../firmware/events/event-log.ts';
import { openStateDatabase } from '../../../firmware/events/state-db.ts';
import { ConfigReplicator } from '../../../firmware/config/replication/replicator.ts';
import { decodeOfferFragment, encodeOffer } from '../../../firmware/config/replication/offer-wire.ts';
import { sharedHash } from '../../../firmware/config/replication/shared-fields.ts';
import { deflateRawSync } from 'node:zlib';
import { boxNumber } from '../../../firmware/cluster/identity.ts';

const KEY_HEX = '11'.repeat(32);
const KEY = new Uint8Array(Buffer.from(KEY_HEX, 'hex'));
const ADDR: Record<ControllerId, string> = { A: '198.18.1.1', B: '198.18.1.2' };
const PORT = 7789;

function fileFor(c: ControllerId, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const peer: ControllerId = c === 'A' ? 'B' : 'A';
  return {
    box: { id: 'rep-box' },
    cluster: {
      key: KEY_HEX,
      network: { enabled: true, localAddress: ADDR[c], peerAddress: ADDR[peer], port: 7788 },
      disk: { initiatorName: `iqn.2026-11.invalid.tandem:ctrl-${c.toLowerCase()}` },
    },
    ...extra,
  };
}

interface Side {
  config: ConfigManager;
  events: EventLog;
  alarms: AlarmManager;
  replicator: ConfigReplicator;
}

const dirs: string[] = [];
const stoppers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stoppers.splice(0)) await s();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function setup(initial: Partial<Record<ControllerId, Record<string, unknown>>> = {}): Promise<{
  clock: SimClock;
  net: SimDatagramNetwork;
  a: Side;
  b: Side;
  run: (ms: number) => Promise<void>;
}> {
  const clock = new SimClock();
  const net = new SimDatagramNetwork({ clock });
  const sides = {} as Record<ControllerId, Side>;
  for (const c of ['A', 'B'] as const) {
    const dir = mkdtempSync(join(tmpdir(), `tandem-rep-${c}-`));
    dirs.push(dir);
    mkdirSync(join(dir, 'etc'));
    writeFileSync(join(dir, 'etc', 'tandem.json'), JSON.stringify(initial[c] ?? fileFor(c)));
    const db = openStateDatabase(':memory:');
    const events = new EventLog({ db, clock });
    const alarms = new AlarmManager({ db, clock, events });
    const config = new ConfigManager({
      path: join(dir, 'etc', 'tandem.json'),
      lastGoodPath: join(dir, 'last-good.json'),
      events,
    });
    await config.load();
    sides[c] = { config, events, alarms, replicator: undefined as unknown as ConfigReplicator };
  }
  for (const c of ['A', 'B'] as const) {
    const peer: ControllerId = c === 'A' ? 'B' : 'A';
    const replicator = new ConfigReplicator({
      clock,
      self: c,
      boxId: 'rep-box',
      key: KEY,
      localAddress: ADDR[c],
      peerAddress: ADDR[peer],
      port: PORT,
      makeSocket: () => net.createSocket(),
      config: sides[c].config,
      peerVersion: () => sides[peer].config.stamp().version,
      events: sides[c].events,
      alarms: sides[c].alarms,
    });
    sides[c].replicator = replicator;
    await replicator.start();
    stoppers.push(() => replicator.stop());
  }
  // Virtual time for the timers, real time for the config files' fsyncs.
  const run = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 100) {
      await clock.advance(100);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  return { clock, net, a: sides.A, b: sides.B, run };
}

const codes = (s: Side): string[] => s.events.query({ limit: 1000 }).map((e) => e.code);

describe('config replication', () => {
  it('an import on A reaches B with the same version; B keeps its own addresses and initiator', async () => {
    const { a, b, run } = await setup();
    const r = await a.config.importText(
      JSON.stringify(fileFor('A', { groups: [{ name: 'db', preferred: 'B' }], eventlog: { maxRows: 5000 } })),
    );
    expect(r.ok).toBe(true);
    await run(1500);
    const got = b.config.current();
    expect(got.configVersion).toBe(1);
    expect(got.groups.map((g) => g.name)).toEqual(['db']);
    expect(got.eventlog.maxRows).toBe(5000);
    expect(got.cluster.network.localAddress).toBe(ADDR.B);
    expect(got.cluster.network.peerAddress).toBe(ADDR.A);
    expect(got.cluster.disk.initiatorName).toBe('iqn.2026-11.invalid.tandem:ctrl-b');
    expect(sharedHash(got)).toBe(sharedHash(a.config.current()));
    expect(b.events.query({ limit: 100 }).find((e) => e.code === 'CONFIG_APPLIED')?.message).toContain(
      'from peer A',
    );
    expect(b.replicator.counters.accepted).toBe(1);
  });

  it('a large config travels in several fragments and survives 40% datagram loss', async () => {
    const { a, b, net, run } = await setup();
    let seed = 7;
    const rng = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    // Random arguments do not deflate: several fragments for sure.
    const noise = () => Array.from({ length: 6 }, () => Math.floor(rng() * 2 ** 40).toString(36)).join('');
    const resources = Array.from({ length: 60 }, (_, i) => ({
      type: 'service',
      name: `r${i}`,
      start: ['/usr/bin/true', noise()],
      stop: ['/usr/bin/true', noise()],
      status: ['/usr/bin/true', noise()],
    }));
    const imported = await a.config.importText(
      JSON.stringify(
        fileFor('A', {
          groups: [
            { name: 'big', resources },
            { name: 'big2', resources },
          ],
        }),
      ),
    );
    expect(imported.ok ? 'ok' : imported.errors).toBe('ok');
    net.loss(0.4, rng);
    await run(30_000);
    expect(b.config.current().configVersion).toBe(1);
    expect(b.config.current().groups[1]?.resources).toHaveLength(60);
    expect(b.replicator.counters.fragmentsReceived).toBeGreaterThan(3);
    expect(a.replicator.counters.offersSent).toBeGreaterThan(1);
  });

  it('an older offer is refused with an event and changes nothing', async () => {
    const { a, b, run } = await setup();
    // B moves ahead while A is behind; then A is made to offer its older config.
    await b.config.importText(JSON.stringify(fileFor('B', { eventlog: { maxRows: 7000 } })));
    await b.config.importText(JSON.stringify(fileFor('B', { eventlog: { maxRows: 8000 } })));
    await run(1500);
    expect(a.config.current().configVersion).toBe(2);
    // A forged-by-nobody but stale offer: version 1, as a slow peer might send.
    const stale = {
      ...a.config.current(),
      configVersion: 1,
      eventlog: { maxAgeDays: 90, maxRows: 1000, maxBytes: 67_108_864 },
    };
    const frags = encodeOffer(
      { sender: 'A', boxId: boxNumber('rep-box'), offerId: 99, version: 1, hash: sharedHash(stale) },
      deflateRawSync(JSON.stringify(stale)),
      KEY,
    );
    const receiver = b.replicator as unknown as {
      receive(d: Buffer, f: { address: string; port: number }): void;
    };
    for (const f of frags) receiver.receive(Buffer.from(f), { address: ADDR.A, port: 40000 });
    await run(200);
    expect(b.config.current().configVersion).toBe(2);
    expect(b.config.current().eventlog.maxRows).toBe(8000);
    const ev = b.events.query({ limit: 100 }).find((e) => e.code === 'CONFIG_REPLICATION_REJECT');
    expect(ev?.message).toMatch(/version 1 from peer A is older than local version 2/);
  });

  it('equal versions with different content raise CONFIG_CONFLICT on both sides; a newer import clears it', async () => {
    const { a, b, net, run } = await setup();
    net.cut(ADDR.A, ADDR.B);
    await a.config.importText(JSON.stringify(fileFor('A', { eventlog: { maxRows: 3000 } })));
    await b.config.importText(JSON.stringify(fileFor('B', { eventlog: { maxRows: 4000 } })));
    await run(1000);
    net.heal(ADDR.A, ADDR.B);
    // The announcements made while cut were lost; the next ones (30 s) find it.
    await run(31_000);
    for (const s of [a, b]) {
      expect(s.config.current().configVersion).toBe(1);
      expect(s.alarms.active().map((x) => x.code)).toContain('CONFIG_CONFLICT');
      expect(codes(s)).toContain('CONFIG_REPLICATION_CONFLICT');
    }
    expect(a.config.current().eventlog.maxRows).toBe(3000);
    expect(b.config.current().eventlog.maxRows).toBe(4000);
    // The operator picks A's and re-applies it there: version 2 wins on both.
    await a.config.importText(JSON.stringify(fileFor('A', { eventlog: { maxRows: 3000 } })));
    await run(2000);
    expect(b.config.current().configVersion).toBe(2);
    expect(b.config.current().eventlog.maxRows).toBe(3000);
    for (const s of [a, b]) expect(s.alarms.active().map((x) => x.code)).not.toContain('CONFIG_CONFLICT');
  });

  it('forged, foreign and malformed datagrams are dropped and counted; nothing changes', async () => {
    const { a, b, run } = await setup();
    const good = { ...a.config.current(), configVersion: 5 };
    const offer = (key: Uint8Array, box = 'rep-box', sender: ControllerId = 'A') =>
      encodeOffer(
        { sender, boxId: boxNumber(box), offerId: 1, version: 5, hash: sharedHash(good) },
        deflateRawSync(JSON.stringify(good)),
        key,
      );
    const inject = (bytes: Uint8Array, from = ADDR.A) =>
      (b.replicator as unknown as { receive(d: Buffer, f: { address: string; port: number }): void }).receive(
        Buffer.from(bytes),
        { address: from, port: 1 },
      );
    for (const f of offer(new Uint8Array(32).fill(9))) inject(f);
    for (const f of offer(KEY, 'other-box')) inject(f);
    for (const f of offer(KEY, 'rep-box', 'B')) inject(f);
    for (const f of offer(KEY)) inject(f, '198.18.1.99');
    const flipped = Buffer.from(offer(KEY)[0] ?? new Uint8Array());
    flipped[20] = (flipped[20] ?? 0) ^ 1;
    inject(flipped);
    inject(new Uint8Array(10));
    inject(Buffer.from('TDHB' + 'x'.repeat(100)));
    await run(500);
    expect(b.config.current().configVersion).toBe(0);
    expect(b.replicator.dropped).toEqual({
      mac: 2,
      'other-box': 1,
      'not-from-peer': 1,
      'wrong-source': 1,
      short: 1,
      magic: 1,
    });
  });

  it('the wire decoder never throws and refuses every truncation and bit flip', () => {
    const cfg = { configVersion: 3, box: { id: 'x' } };
    const [frag] = encodeOffer(
      { sender: 'B', boxId: 42, offerId: 7, version: 3, hash: 'ab'.repeat(32) },
      deflateRawSync(JSON.stringify(cfg)),
      KEY,
    );
    if (frag === undefined) throw new Error('no fragment');
    const d = decodeOfferFragment(frag, KEY);
    expect(d.ok && d.value).toMatchObject({
      sender: 'B',
      boxId: 42,
      offerId: 7,
      version: 3,
      index: 0,
      count: 1,
    });
    for (let n = 0; n < frag.byteLength; n++)
      expect(decodeOfferFragment(frag.subarray(0, n), KEY).ok).toBe(false);
    for (let i = 0; i < frag.byteLength; i++) {
      const bad = Uint8Array.from(frag);
      bad[i] = (bad[i] ?? 0) ^ 0x40;
      expect(decodeOfferFragment(bad, KEY).ok).toBe(false);
    }
  });
});
