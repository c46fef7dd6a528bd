import { describe, expect, it } from 'vitest';
import { resolveControllerId } from '../../../firmware/config/controller-id.ts';
import { configHash } from '../../../firmware/config/fingerprint.ts';
import { decideReplication } from '../../../firmware/config/replication/decision.ts';
import { defaultConfig, validateConfig } from '../../../firmware/config/validate.ts';

function errorsOf(input: unknown) {
  const r = validateConfig(input);
  if (r.ok) throw new Error('expected rejection');
  return r.errors;
}

describe('config validation', () => {
  it('fills every default from an empty document and warns about the factory key', () => {
    const r = validateConfig({});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.cluster.heartbeat).toEqual({
      intervalMs: 50,
      warntimeMs: 300,
      deadtimeMs: 500,
      initdeadMs: 30_000,
    });
    expect(r.config.cluster.serial.baudRate).toBe(115_200);
    expect(r.config.box.controllerIds).toEqual(['A', 'B']);
    expect(r.config.mqtt.topicPrefix).toBe('tandem');
    expect(r.warnings.map((w) => w.path)).toEqual(['/cluster/key']);
  });

  it('does not mutate its input', () => {
    const input = { box: { id: 'x' } };
    validateConfig(input);
    expect(input).toEqual({ box: { id: 'x' } });
  });

  it('names the field at fault for schema errors', () => {
    expect(errorsOf({ box: { id: 'Bad Name' } })).toEqual([
      { path: '/box/id', message: expect.stringMatching(/pattern/) as string },
    ]);
    expect(errorsOf({ cluster: { heartbeat: { intervalMs: 'fast' } } })[0]?.path).toBe(
      '/cluster/heartbeat/intervalMs',
    );
    expect(errorsOf({ mqtt: { topicPrefx: 'x' } })).toEqual([
      { path: '/mqtt/topicPrefx', message: 'is not a known setting (misspelt?)' },
    ]);
    expect(errorsOf({ failover: { policy: 'both' } })).toEqual([
      { path: '/failover/policy', message: 'must be one of "active-standby", "active-active"' },
    ]);
    expect(errorsOf({ cluster: { key: 'abc' } })[0]?.path).toBe('/cluster/key');
    expect(errorsOf({ mqtt: { topicPrefix: 'a/#' } })[0]?.path).toBe('/mqtt/topicPrefix');
    expect(errorsOf({ groups: [{ name: 'db', resources: [{}] }] })).toEqual([
      { path: '/groups/0/resources/0/type', message: 'is required' },
    ]);
    expect(errorsOf([])).toEqual([{ path: '/', message: 'must be a JSON object' }]);
  });

  it('refuses group names and counts a heartbeat cannot carry (16 characters, 8 groups)', () => {
    expect(validateConfig({ groups: [{ name: 'a234567890123456' }] }).ok).toBe(true);
    expect(errorsOf({ groups: [{ name: 'a2345678901234567' }] }).map((e) => e.path)).toEqual([
      '/groups/0/name',
    ]);
    const nine = Array.from({ length: 9 }, (_, i) => ({ name: `g${i}` }));
    expect(validateConfig({ groups: nine.slice(0, 8) }).ok).toBe(true);
    expect(errorsOf({ groups: nine }).map((e) => e.path)).toEqual(['/groups']);
  });

  it('checks cross-field rules with field-named errors', () => {
    expect(errorsOf({ cluster: { heartbeat: { warntimeMs: 12_000 } } })).toContainEqual({
      path: '/cluster/heartbeat/deadtimeMs',
      message: 'must be >= warntime + interval (12050 ms)',
    });
    // What the controller's build refuses, validation refuses too (one check, cluster/timing.ts).
    expect(
      errorsOf({
        cluster: { heartbeat: { intervalMs: 100, warntimeMs: 150, deadtimeMs: 300, initdeadMs: 300 } },
      }),
    ).toEqual([{ path: '/cluster/heartbeat/warntimeMs', message: 'must be >= 2 x interval (200 ms)' }]);
    expect(errorsOf({ cluster: { heartbeat: { initdeadMs: 400 } } }).map((e) => e.path)).toEqual([
      '/cluster/heartbeat/initdeadMs',
    ]);
    expect(errorsOf({ cluster: { disk: { transport: 'iscsi' } } }).map((e) => e.path)).toEqual([
      '/cluster/disk/portal/host',
      '/cluster/disk/targetIqn',
      '/cluster/disk/initiatorName',
    ]);
    expect(
      errorsOf({ cluster: { network: { localAddress: '10.0.0.1', peerAddress: '10.0.0.1' } } })[0]?.path,
    ).toBe('/cluster/network/peerAddress');
    expect(errorsOf({ cluster: { network: { localAddress: '999.1.1.1' } } })[0]?.path).toBe(
      '/cluster/network/localAddress',
    );
    expect(errorsOf({ groups: [{ name: 'db' }, { name: 'db' }] })).toEqual([
      { path: '/groups/1/name', message: 'duplicates an earlier group name "db"' },
    ]);
    expect(errorsOf({ box: { controllerIds: ['A', 'A'] } })[0]?.path).toBe('/box/controllerIds/1');
    expect(errorsOf({ mqtt: { tls: { cert: 'PEM' } } })[0]?.path).toBe('/mqtt/tls/key');
  });

  it('takes the controller id from the environment first, then the file', () => {
    const c = defaultConfig();
    expect(resolveControllerId(c, { TANDEM_CONTROLLER_ID: 'B' })).toEqual({ ok: true, value: 'B' });
    expect(resolveControllerId(c, { TANDEM_CONTROLLER_ID: 'C' }).ok).toBe(false);
    expect(resolveControllerId(c, {}).ok).toBe(false);
    expect(resolveControllerId({ ...c, controller: { id: 'A' } }, {})).toEqual({ ok: true, value: 'A' });
  });
});

describe('replication rule', () => {
  const local = { version: 5, hash: 'h5' };
  it('accepts newer, rejects older, ignores identical, flags equal-version conflicts', () => {
    expect(decideReplication(local, { version: 6, hash: 'x', origin: 'B' }).action).toBe('accept');
    const older = decideReplication(local, { version: 4, hash: 'x', origin: 'B' });
    expect(older).toEqual({ action: 'reject', reason: 'version 4 from B is older than local version 5' });
    expect(decideReplication(local, { version: 5, hash: 'h5', origin: 'B' }).action).toBe('unchanged');
    expect(decideReplication(local, { version: 5, hash: 'other', origin: 'B' }).action).toBe('conflict');
    expect(decideReplication(local, { version: Number.NaN, hash: 'x', origin: 'B' }).action).toBe('reject');
  });

  it('hashes content, not version or key order', () => {
    const a = defaultConfig();
    const b = JSON.parse(JSON.stringify({ ...a, configVersion: 9 })) as typeof a;
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(a)).not.toBe(configHash({ ...a, box: { ...a.box, id: 'other' } }));
  });
});
