// A stranger on the lab LAN with valid broker credentials (the `rogue`
// user) but no command token, against controller A's telemetry (the harness
// over the stand-in box, as in telemetry-mqtt.test.ts) and the lab
// mosquitto's ACL (tools/lab/mqtt.ts): it cannot read requests or responses
// (where secrets would travel), cannot spoof the status the NOC reads, and
// cannot fill the controller's log with refusals.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labFiles } from '../../tools/lab/files.ts';
import { MQTT_HOST, MQTT_PORT } from '../../tools/lab/topology.ts';
import { cred, LAB_TOKEN, watch } from './fixtures/telemetry-lab.ts';
import { labOk } from './lab-helpers.ts';
import { commandA, startAOnline, stopAClearRetained } from './fixtures/telemetry-a.ts';

const BOX = 'strangerbox';
const topic = (rest: string) => `tandem/${BOX}/${rest}`;

const command = (cmd: string, args: object, opts: readonly string[]) => commandA(BOX, cmd, args, opts);

/** mosquitto_pub from the client namespace as the rogue user. */
function roguePublish(t: string, payload: string, retained: boolean): Promise<string> {
  const [, user, , pass] = cred('rogue');
  return labOk([
    'exec',
    'client',
    'mosquitto_pub',
    '-h',
    MQTT_HOST,
    '-p',
    String(MQTT_PORT),
    '-u',
    user ?? '',
    '-P',
    pass ?? '',
    '-t',
    t,
    ...(retained ? ['-r'] : []),
    '-m',
    payload,
  ]);
}

const refusalRows = (): string[] => {
  let text = '';
  try {
    text = readFileSync(labFiles.firmwareLog('A'), 'utf8');
  } catch {
    // No log yet: no rows.
  }
  return text.split('\n').filter((l) => l.includes('mqtt: refused') || l.includes('MQTT requests refused'));
};

describe('a stranger with broker credentials but no command token', () => {
  beforeAll(() => startAOnline(BOX));
  afterAll(() => stopAClearRetained(BOX));

  it('reads the status a dashboard shows, but never a request or a response', async () => {
    const rogueAll = watch(`tandem/${BOX}/#`, 1000, 12_000, undefined, 'rogue', ['--v4']);
    const rogueResponses = watch(topic('A/response/+'), 10, 12_000, undefined, 'rogue', ['--v4']);
    const nocResponses = watch(topic('A/response/+'), 10, 12_000);
    await Promise.all([rogueAll.ready, rogueResponses.ready, nocResponses.ready]);
    // The stranger does see the retained state: the ACL lets it read status.
    await rogueAll.waitFor((m) => m.topic === topic('A/state'));
    const r = await command('status', {}, [...cred('noc'), '--token', LAB_TOKEN]);
    expect(r).toMatchObject({ status: 'ok' });
    // The NOC got the response; the stranger saw neither it nor the request.
    await nocResponses.waitFor((m) => m.topic === topic('A/response/status'));
    await new Promise((res) => setTimeout(res, 1000));
    expect(rogueResponses.lines).toEqual([]);
    expect(rogueAll.lines.filter((m) => /\/(request|response)\//.test(m.topic))).toEqual([]);
    for (const w of [rogueAll, rogueResponses, nocResponses]) w.stop();
  });

  it('cannot ask for secrets: its request never reaches the controller, and it hears no answer', async () => {
    const controllerSees = watch(topic('A/request/+'), 1, 8000, undefined, 'controller');
    await controllerSees.ready;
    const asked = await command('config-export', { includeSecrets: true }, [...cred('rogue'), '--v4']);
    expect(asked).toEqual({ timeout: true });
    expect(controllerSees.lines).toEqual([]);
    controllerSees.stop();
  });

  it('cannot spoof the status or state the NOC reads', async () => {
    await roguePublish(topic('status'), '{"boxId":"strangerbox","active":null,"spoofed":true}', true);
    await roguePublish(topic('A/state'), '{"state":"self-fenced","spoofed":true}', true);
    // A NOC that subscribes now gets the retained messages: the controller's, not the stranger's.
    const status = watch(topic('status'), 1, 8000);
    const state = watch(topic('A/state'), 1, 8000);
    await Promise.all([status.ready, state.ready]);
    const s = await status.waitFor(() => true);
    const st = await state.waitFor(() => true);
    expect(s.payload).not.toContain('spoofed');
    expect(JSON.parse(s.payload)).toMatchObject({ boxId: BOX, reportedBy: 'A' });
    expect(st.payload).not.toContain('spoofed');
    expect(JSON.parse(st.payload)).toMatchObject({ controller: 'A', state: 'active' });
    status.stop();
    state.stop();
  });

  it('cannot fill the log: its flood is dropped by the broker, an unsigned flood costs one row', async () => {
    const before = refusalRows().length;
    // The stranger's requests: dropped by the ACL, so the controller never sees them.
    for (let i = 0; i < 50; i++) await roguePublish(topic('A/request/maintenance'), `{"n":${i}}`, false);
    expect(refusalRows().length).toBe(before);
    // Unsigned requests through a user the ACL lets publish: refused, and summarised, not logged each.
    for (let i = 0; i < 20; i++) {
      const r = await command('maintenance', { on: true }, cred('noc'));
      expect(r).toMatchObject({
        status: 'error',
        error: 'unauthorised: sig is missing or not 64 hex digits',
      });
    }
    // At most the first refusal's row (and one summary, should an interval end meanwhile).
    expect(refusalRows().length - before).toBeLessThanOrEqual(2);
    expect((await command('status', {}, [...cred('noc'), '--token', LAB_TOKEN]))['data']).toMatchObject({
      state: 'active',
    });
  });
});
