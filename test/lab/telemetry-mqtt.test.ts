// Telemetry through the lab's real mosquitto (password file + ACL): the
// telemetry extension runs as controller A's firmware (test/lab/fixtures/
// telemetry-harness.ts over the stand-in box, until the daemon lands), the
// NOC subscribes from tdm-noc, commands come from tdm-client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cred, harnessStartArgs, LAB_TOKEN, watch } from './fixtures/telemetry-lab.ts';
import { lab, labOk } from './lab-helpers.ts';
import { commandA, startAOnline, stopAClearRetained } from './fixtures/telemetry-a.ts';

const BOX = 'labbox';

const command = (cmd: string, args: object, opts: readonly string[]) => commandA(BOX, cmd, args, opts);

async function stateNow(): Promise<string> {
  const r = await command('status', {}, [...cred('noc'), '--token', LAB_TOKEN]);
  return (r['data'] as { state: string }).state;
}

describe('MQTT telemetry in the lab', () => {
  beforeAll(() => startAOnline(BOX));
  afterAll(() => stopAClearRetained(BOX));

  it('a state change reaches a NOC subscriber', async () => {
    const w = watch(`tandem/${BOX}/A/state`, 2, 15_000);
    await w.ready;
    const first = await w.waitFor(() => true);
    expect(JSON.parse(first.payload)).toMatchObject({ boxId: BOX, controller: 'A', state: 'active' });
    const r = await command('maintenance', { on: true }, [...cred('noc'), '--token', LAB_TOKEN]);
    expect(r).toMatchObject({ status: 'ok', error: null, data: { state: 'maintenance' } });
    const changed = await w.waitFor((m) => m.payload.includes('"state":"maintenance"'));
    expect(JSON.parse(changed.payload)).toMatchObject({ state: 'maintenance' });
    w.stop();
    expect(await command('maintenance', { on: false }, [...cred('noc'), '--token', LAB_TOKEN])).toMatchObject(
      { status: 'ok' },
    );
  });

  it('refuses a command with a wrong or missing token, with a reason', async () => {
    expect(
      await command('maintenance', { on: true }, [...cred('noc'), '--token', 'wrong-token-0123456789abcdef']),
    ).toMatchObject({
      status: 'error',
      data: null,
      error: 'unauthorised: bad signature',
    });
    expect(await command('maintenance', { on: true }, cred('noc'))).toMatchObject({
      status: 'error',
      error: 'unauthorised: sig is missing or not 64 hex digits',
    });
    expect(await stateNow()).toBe('active');
  });

  it('never delivers a command from a client the ACL does not allow, even correctly signed', async () => {
    // The controller user reads request topics: it would see the rogue request if the broker passed it on.
    const w = watch(`tandem/${BOX}/A/request/#`, 1, 8000, undefined, 'controller');
    await w.ready;
    for (const who of [cred('rogue'), []]) {
      const r = await command('maintenance', { on: true }, [...who, '--token', LAB_TOKEN, '--v4']);
      expect(r).toEqual({ timeout: true });
    }
    expect(w.lines).toEqual([]);
    w.stop();
    expect(await stateNow()).toBe('active');
  });

  it('answers malformed commands with an error and changes nothing', async () => {
    const noc = cred('noc');
    const badJson = await command('maintenance', {}, [...noc, '--raw', '{"args":{"on":tru']);
    expect(badJson).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/^request: not valid JSON/) as unknown,
    });
    const wrongType = await command('maintenance', { on: 'yes' }, [...noc, '--token', LAB_TOKEN]);
    expect(wrongType).toMatchObject({ status: 'error', error: 'args.on: must be true or false' });
    const unknown = await command('reboot', {}, [...noc, '--token', LAB_TOKEN]);
    expect(unknown).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/^command: unknown command "reboot"/) as unknown,
    });
    // Over the controller's 300 KiB request limit but under the broker's
    // packet limit (LIMITS.mqttPacketBytes, 320 KiB): the controller refuses it by size.
    const big = await command('maintenance', {}, [...noc, '--oversize', String(310 * 1024)]);
    expect(big).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/over the 307200-byte limit/) as unknown,
    });
    // Over the broker's limit: the broker drops it, no controller ever sees it.
    const huge = await command('maintenance', {}, [...noc, '--oversize', String(400 * 1024)]);
    expect(huge).toEqual({ timeout: true });
    expect(await stateNow()).toBe('active');
  });

  it('goes offline by Last Will when the controller process is killed', async () => {
    const w = watch(`tandem/${BOX}/A/availability`, 2, 15_000);
    await w.ready;
    await w.waitFor((m) => m.payload === 'online');
    await labOk(['kill', 'A']);
    const off = await w.waitFor((m) => m.payload === 'offline');
    expect(off.payload).toBe('offline');
    w.stop();
    // Back up for afterAll's clean stop (and so the next test file finds it as it was).
    await lab(['stop', 'A']);
    await labOk(harnessStartArgs('A', BOX));
  });
});
