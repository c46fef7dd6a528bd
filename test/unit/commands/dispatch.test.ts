// Dispatch through the registry on a context of plain objects: the failover
// commands report the state machine's decision, refusals change nothing.
import { describe, expect, it } from 'vitest';
import { RegistryCommands } from '../../../firmware/commands/dispatch.ts';
import type { CommandName } from '../../../firmware/core/envelope.ts';
import { fakeContext, fakeHost, STATUS } from './fake-context.ts';

function setup(held?: readonly string[]) {
  const host = fakeHost(held);
  const ctx = fakeContext(host);
  const commands = new RegistryCommands(ctx);
  const run = (command: CommandName, args: Record<string, unknown> = {}) =>
    commands.handle({ command, args, transaction: 't1' });
  return { host, ctx, run };
}

describe('dispatch', () => {
  it('answers status, peer and paths from the snapshot', async () => {
    const { run } = setup();
    const status = await run('status');
    expect(status).toMatchObject({ status: 'ok', error: null, transaction: 't1' });
    // The snapshot, and the summary's additions (status-report.test.ts).
    expect(status.data).toMatchObject({ ...STATUS, maintenance: false, lastTakeover: null });
    expect((await run('peer')).data).toBe(STATUS.peer);
    expect((await run('paths')).data).toEqual({ paths: STATUS.peer.paths, counters: { sent: 3 } });
  });

  it('moves a group that runs here, and quotes the transition', async () => {
    const { host, run } = setup();
    expect(await run('switchover', { group: 'db' })).toMatchObject({
      status: 'ok',
      data: { from: 'active', to: 'releasing', actions: ['stop-groups'] },
    });
    expect(host.ops).toEqual([{ op: 'switchover', groups: ['db'] }]);
  });

  it('refuses a group that is unknown or runs elsewhere, and a refused transition', async () => {
    const { host, run } = setup();
    // An unknown group: the refusal lists the configured ones.
    expect((await run('switchover', { group: 'nope' })).error).toBe(
      'group: "nope" is not a configured group (configured: db, web)',
    );
    // A group the peer runs (its heartbeat says so): run the command there.
    expect((await run('failback', { group: 'web' })).error).toBe(
      'group: web runs on controller B, not on A; run "failback web" on B',
    );
    expect((await run('switchover', { group: 'web' })).error).toBe(
      'group: web runs on controller B, not on A; run "switchover web" on B',
    );
    expect((await run('switchover', {})).error).toBe('args.group: required by switchover');
    expect(host.ops).toEqual([]);
    host.next = {
      from: 'active',
      to: 'active',
      outcome: 'ignore',
      actions: [],
      text: 'peer is no candidate',
    };
    expect((await run('switchover', { group: 'db' })).error).toBe(
      'switchover refused in state active: peer is no candidate',
    );
    host.next = undefined;
    expect((await run('maintenance', { on: false })).error).toBe(
      'maintenance-off: the failover core is not running',
    );
  });

  it('a group nobody runs: nothing to move; no group configured: says so', async () => {
    const host = fakeHost([]);
    const nobody = {
      ...host,
      groupStatus: () => [
        { name: 'db', preferred: 'A' as const, owner: null, state: 'stopped' as const, failedOn: [] },
      ],
    };
    const run = (command: CommandName, args: Record<string, unknown>) =>
      new RegistryCommands(fakeContext(nobody)).handle({ command, args, transaction: 't' });
    expect((await run('switchover', { group: 'db' })).error).toBe(
      'group: db runs on no controller now: nothing to switch over (see groups and log for why)',
    );
    expect((await run('failback', { group: 'db' })).error).toMatch(/nothing to fail back/);
    const none = { ...host, groupStatus: () => [] };
    expect(
      (
        await new RegistryCommands(fakeContext(none)).handle({
          command: 'cleanup',
          args: { group: 'db' },
          transaction: 't',
        })
      ).error,
    ).toBe('group: "db" is not a configured group (no group is configured)');
    expect(host.ops).toEqual([]);
  });

  it('takeover: force absent or true takes over; force false does nothing', async () => {
    const { host, run } = setup();
    expect(await run('takeover', { force: false })).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/^force: false .*nothing done$/) as unknown,
    });
    expect(host.ops).toEqual([]);
    expect((await run('takeover', { force: 'no' })).error).toBe('args.force: must be true or false');
    expect(host.ops).toEqual([]);
    await run('takeover', { force: true });
    await run('takeover');
    expect(host.ops.map((o) => o.op)).toEqual(['forced-takeover', 'forced-takeover']);
  });

  it('cleanup: every group, or one configured group', async () => {
    const { host, run } = setup();
    expect((await run('cleanup')).data).toEqual({ cleared: ['db', 'web'], restarted: [] });
    expect((await run('cleanup', { group: 'web' })).data).toEqual({ cleared: ['web'], restarted: [] });
    expect((await run('cleanup', { group: 'nope' })).error).toBe(
      'group: "nope" is not a configured group (configured: db, web)',
    );
    expect(host.cleaned).toEqual([undefined, ['web']]);
  });

  it('pr shows keys as 16 hex digits', async () => {
    const { run } = setup();
    expect((await run('pr')).data).toEqual({
      ourKey: '0x00000000000000a1',
      keys: ['0x00000000000000a1', '0x00000000000000b2'],
      reservation: { key: '0x00000000000000a1', type: 5 },
      fenced: false,
    });
  });

  it('a node without a failover core, alarms or config says so', async () => {
    const bare = new RegistryCommands({
      status: { current: () => STATUS },
      counters: () => ({}),
      host: () => undefined,
    });
    const run = (command: CommandName, args: Record<string, unknown> = {}) =>
      bare.handle({ command, args, transaction: 'x' });
    expect((await run('switchover', { group: 'db' })).error).toBe(
      'command switchover: this node runs no failover core',
    );
    expect((await run('pr')).error).toBe('command pr: this node runs no failover core');
    expect((await run('alarms')).error).toBe(
      'command alarms: no event log, alarms or config on this handler',
    );
    expect((await run('config-show')).error).toBe('config-show: no configuration store on this controller');
    expect(await bare.handle({ command: 'nope' as never, args: {}, transaction: 'x' })).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/^command: unknown command "nope"/) as unknown,
    });
    // with() adds the missing parts without changing the handler it came from.
    const more = bare.with({ alarms: fakeContext().alarms });
    expect(await more.handle({ command: 'alarms', args: {}, transaction: 'y' })).toMatchObject({
      status: 'ok',
    });
    expect((await run('alarms')).status).toBe('error');
  });

  it('alarm-ack says who: the request, else the channel, else operator', async () => {
    const { ctx, run } = setup();
    await run('alarm-ack', { id: 4, by: 'noc-alice' });
    await run('alarm-ack', { id: 5 });
    const named = new RegistryCommands({ ...ctx, defaultActor: 'tandemctl' });
    await named.handle({ command: 'alarm-ack', args: { id: 6 }, transaction: 'z' });
    expect(ctx.acked).toEqual([
      { id: 4, by: 'noc-alice' },
      { id: 5, by: 'operator' },
      { id: 6, by: 'tandemctl' },
    ]);
  });
});
