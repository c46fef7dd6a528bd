// Telemetry and tandemctl on the REAL controller daemon (firmware/daemon.ts),
// through the lab's mosquitto with its password file and ACL: the daemons run
// with tools/lab/configs/{a,b}.json (user `controller`, a command token).
// A NOC subscriber in tdm-noc sees the daemon's own state and its Last Will.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlSocket, lab, readLog, startDaemon, stopDaemon } from '../../tools/lab/configs/daemons.ts';
import type { ControllerStatus } from '../../firmware/status/snapshot.ts';
import { TANDEMCTL, watch } from './fixtures/telemetry-lab.ts';

const BOX = 'lab-box';
const topic = (c: 'A' | 'B', kind: string) => `tandem/${BOX}/${c}/${kind}`;

const ctl = (c: 'A' | 'B', ...args: string[]) =>
  lab(['exec', c, process.execPath, TANDEMCTL, '--socket', controlSocket(c), ...args]);

describe('telemetry of the real daemon in the lab', () => {
  beforeAll(async () => {
    await lab(['serial-mode', 'pass']);
    const online = watch(topic('A', 'availability'), 50, 30_000);
    await online.ready;
    await startDaemon('A');
    await startDaemon('B');
    await online.waitFor((m) => m.payload === 'online', 15_000);
    online.stop();
    for (const c of ['A', 'B'] as const) {
      for (let i = 0; i < 100 && (await lab(['exec', c, 'test', '-S', controlSocket(c)])).code !== 0; i++)
        await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    for (const c of ['A', 'B'] as const) await stopDaemon(c);
  });

  it('each daemon announces itself to Home Assistant: one retained device document, read by the NOC', async () => {
    const docs = watch('homeassistant/device/+/config', 2, 15_000);
    await docs.ready;
    await docs.waitFor(() => docs.lines.length >= 2, 15_000);
    docs.stop();
    expect(docs.lines.every((m) => m.retain)).toBe(true);
    const byTopic = new Map(
      docs.lines.map((m) => [m.topic, JSON.parse(m.payload) as Record<string, unknown>]),
    );
    for (const c of ['A', 'B'] as const) {
      const doc = byTopic.get(`homeassistant/device/${BOX}_${c}/config`);
      expect(doc, c).toBeDefined();
      const cmps = doc!['cmps'] as Record<string, { state_topic: string; availability_topic?: string }>;
      expect(cmps['state']?.state_topic).toBe(topic(c, 'state'));
      expect(Object.keys(cmps)).toEqual(expect.arrayContaining(['state', 'peer_state', 'active_alarms']));
    }
  });

  it('tandemctl status inside A shows the real daemon state, the same as on MQTT', async () => {
    // The daemon may still be settling (standby -> active, A is preferred):
    // compare tandemctl's answer with the latest state the NOC has once A is
    // active and both agree, so the text status below cannot race a change.
    const state = watch(topic('A', 'state'), 500, 20_000);
    await state.ready;
    let live: ControllerStatus | undefined;
    let published: string | undefined;
    for (let i = 0; i < 25; i++) {
      const json = await ctl('A', '--json', 'status');
      expect(json.code, json.stderr).toBe(0);
      live = (JSON.parse(json.stdout) as { data: ControllerStatus }).data;
      await new Promise((r) => setTimeout(r, 200));
      const last = state.lines.at(-1);
      published = last === undefined ? undefined : (JSON.parse(last.payload) as ControllerStatus).state;
      if (published === live.state && live.state === 'active') break;
    }
    state.stop();
    if (live === undefined) throw new Error('no status from tandemctl');
    expect(live).toMatchObject({ boxId: BOX, controller: 'A', peer: { id: 'B' } });
    expect(published).toBe(live.state);
    const text = await ctl('A', 'status');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Box:\s+lab-box \(firmware /m);
    expect(text.stdout).toMatch(/^Seen from:\s+controller A /m);
    // The controllers' table says the same state as MQTT's retained status.
    expect(text.stdout).toMatch(new RegExp(`^A\\s+${live.state}\\s+this controller`, 'm'));
    expect(text.stdout).toMatch(/^PATH\s+STATE\s+LAST HEARD\s+ONE-WAY$/m);
    // The same daemon answers the operator commands over the socket.
    const alarms = await ctl('A', '--json', 'alarms');
    // The lab runs without a hardware watchdog: the daemon says so as an alarm.
    const list = JSON.parse(alarms.stdout) as { status: string; data: { alarms: { code: string }[] } };
    expect(list.status).toBe('ok');
    expect(list.data.alarms.map((a) => a.code)).toContain('WATCHDOG_DISABLED');
    const log = await ctl('A', 'log', '--source', 'daemon', '--limit', '5');
    expect(log.code).toBe(0);
    expect(log.stdout).toContain('HEARTBEAT_STARTED');
  });

  it("a state change of A's daemon (its peer dies) reaches the NOC subscriber", async () => {
    const state = watch(topic('A', 'state'), 200, 20_000);
    await state.ready;
    await state.waitFor((m) => (JSON.parse(m.payload) as ControllerStatus).peer.state === 'alive', 5000);
    const t0 = Date.now();
    await lab(['kill', 'B']);
    const dead = await state.waitFor(
      (m) => (JSON.parse(m.payload) as ControllerStatus).peer.state === 'dead',
      10_000,
    );
    state.stop();
    const s = JSON.parse(dead.payload) as ControllerStatus;
    console.log(`NOC saw A's peer dead ${dead.at - t0} ms after the kill (A state ${s.state})`);
    expect(s.controller).toBe('A');
    // The daemon logged the same change it published.
    expect(readLog('A').some((l) => l.code === 'PEER_DEAD' && l.ts >= t0)).toBe(true);
  });

  it("availability goes offline (Last Will) when A's daemon is killed", async () => {
    const avail = watch(topic('A', 'availability'), 50, 20_000);
    await avail.ready;
    await avail.waitFor((m) => m.payload === 'online', 5000);
    const t0 = Date.now();
    await lab(['kill', 'A']);
    const offline = await avail.waitFor((m) => m.payload === 'offline', 10_000);
    avail.stop();
    console.log(`NOC saw A offline ${offline.at - t0} ms after SIGKILL`);
    expect(offline.at - t0).toBeLessThan(5000);
  });
});
