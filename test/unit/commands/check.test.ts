// The one checker: bounds first, then the schema, then the role; each
// refusal names what is wrong and the handler never runs.
import { describe, expect, it } from 'vitest';
import { admit, ARG_LIMITS, checkArgs } from '../../../firmware/commands/check.ts';
import { RegistryCommands } from '../../../firmware/commands/dispatch.ts';
import { commandDef } from '../../../firmware/commands/registry.ts';
import { fakeContext, fakeHost } from './fake-context.ts';

const body = (command: string, args: unknown) => ({ command, args, transaction: 't1' });

describe('argument check', () => {
  it('names the argument: unknown, missing, wrong type', () => {
    expect(checkArgs(commandDef('maintenance'), { on: 'yes' })).toEqual({
      ok: false,
      error: 'args.on: must be true or false',
    });
    expect(checkArgs(commandDef('maintenance'), { on: true, now: 1 })).toEqual({
      ok: false,
      error: 'args.now: unknown argument for maintenance',
    });
    expect(checkArgs(commandDef('config-import'), {})).toEqual({
      ok: false,
      error: 'args.text: required by config-import',
    });
    expect(checkArgs(commandDef('alarm-ack'), { id: 0 })).toEqual({
      ok: false,
      error: 'args.id: must be an integer from 1 to 9007199254740991',
    });
    expect(checkArgs(commandDef('log'), { severity: 'loud' })).toMatchObject({
      error: 'args.severity: must be one of debug, info, notice, warning, error, critical',
    });
    expect(checkArgs(commandDef('status'), [])).toEqual({ ok: false, error: 'args: must be an object' });
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    'refuses the prototype key %s, however it arrives',
    (key) => {
      // JSON.parse makes __proto__ an own key, as a request off the wire would.
      const parsed: unknown = JSON.parse(`{"group":"db","${key}":{"polluted":true}}`);
      expect(checkArgs(commandDef('cleanup'), parsed)).toEqual({
        ok: false,
        error: `args.${key}: unknown argument for cleanup`,
      });
      expect(admit(body('switchover', parsed), 'admin')).toMatchObject({ ok: false });
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    },
  );

  it('refuses arguments inherited rather than given, and objects of other classes', () => {
    const inherited = Object.create({ group: 'db' }) as unknown;
    expect(checkArgs(commandDef('switchover'), inherited)).toEqual({
      ok: false,
      error: 'args: must be an object',
    });
    expect(checkArgs(commandDef('switchover'), new Map([['group', 'db']]))).toMatchObject({ ok: false });
  });

  it('bounds size and depth before the schema looks', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(checkArgs(commandDef('status'), { a: deep })).toEqual({
      ok: false,
      error: `args: nested deeper than ${ARG_LIMITS.depth} levels`,
    });
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i]));
    expect(checkArgs(commandDef('status'), many)).toEqual({
      ok: false,
      error: `args: more than ${ARG_LIMITS.keys} arguments`,
    });
    expect(checkArgs(commandDef('config-validate'), { text: 'x'.repeat(ARG_LIMITS.chars + 1) })).toEqual({
      ok: false,
      error: `args: more than ${ARG_LIMITS.chars} characters`,
    });
    expect(checkArgs(commandDef('config-validate'), { text: 'x'.repeat(256 * 1024 + 1) })).toMatchObject({
      error: 'args.text: must be a non-empty string of at most 262144 characters',
    });
  });

  it('passes on a frozen copy of the declared arguments only', () => {
    const r = checkArgs(commandDef('log'), { limit: 5, source: 'cluster' });
    expect(r).toEqual({ ok: true, value: { source: 'cluster', limit: 5 } });
    if (r.ok) expect(Object.isFrozen(r.value)).toBe(true);
  });
});

describe('roles', () => {
  it('refuses a command above the role, naming both, and runs nothing', async () => {
    expect(admit(body('switchover', { group: 'db' }), 'viewer')).toEqual({
      ok: false,
      error: 'role: switchover needs the operator role; this request has viewer',
    });
    expect(admit(body('config-import', { text: '{}' }), 'operator')).toMatchObject({
      error: 'role: config-import needs the admin role; this request has operator',
    });
    expect(admit(body('config-export', { includeSecrets: true }), 'operator')).toMatchObject({
      error: 'role: config-export with includeSecrets needs the admin role; this request has operator',
    });
    expect(admit(body('config-export', {}), 'viewer')).toMatchObject({ ok: true });
    expect(admit(body('status', {}), 'viewer')).toMatchObject({ ok: true });

    const host = fakeHost();
    const viewer = new RegistryCommands(fakeContext(host), 'viewer');
    expect(await viewer.handle({ command: 'takeover', args: {}, transaction: 't' })).toEqual({
      status: 'error',
      data: null,
      error: 'role: takeover needs the operator role; this request has viewer',
      transaction: 't',
    });
    expect(await viewer.handle({ command: 'groups', args: {}, transaction: 't' })).toMatchObject({
      status: 'ok',
    });
    expect(host.ops).toEqual([]);
  });

  it('a request admitted by a channel runs with the weaker of its role and the handler’s', async () => {
    const admitted = admit(body('maintenance', { on: true }), 'admin');
    if (!admitted.ok) throw new Error(admitted.error);
    const host = fakeHost();
    const viewer = new RegistryCommands(fakeContext(host), 'viewer');
    expect(await viewer.handle(admitted.value)).toMatchObject({
      error: expect.stringMatching(/^role: /) as unknown,
    });
    expect(host.ops).toEqual([]);
    expect(await new RegistryCommands(fakeContext(host)).handle(admitted.value)).toMatchObject({
      status: 'ok',
    });
    expect(host.ops).toEqual([{ op: 'maintenance-on', groups: undefined }]);
  });
});

describe('envelope', () => {
  it('checks the command name, then the transaction, then the arguments', () => {
    expect(admit(body('reboot', {}), 'admin')).toMatchObject({
      error: expect.stringMatching(/^command: unknown command "reboot"; known: status, /) as unknown,
    });
    expect(admit({ command: 'status', args: {} }, 'admin')).toMatchObject({
      error: 'transaction: must be a non-empty string of at most 64 characters',
    });
    expect(admit('status', 'admin')).toMatchObject({ error: 'request: must be a JSON object' });
    expect(admit(body('status', undefined), 'admin')).toEqual({
      ok: true,
      value: { command: 'status', args: {}, transaction: 't1' },
    });
  });
});
