import { describe, expect, it } from 'vitest';
import { checkArgs } from '../../../firmware/commands/check.ts';
import { commandDef } from '../../../firmware/commands/registry.ts';
import { parseArgs, parseSince } from '../../../firmware/console/cli-args.ts';

const NOW = Date.UTC(2026, 10, 5, 12, 0, 0);
const p = (...argv: string[]) => parseArgs(argv, NOW);

describe('tandemctl arguments', () => {
  it('maps each command to its envelope', () => {
    expect(p('status')).toMatchObject({ kind: 'request', command: 'status', args: {}, json: false });
    expect(p('--json', 'groups')).toMatchObject({ command: 'groups', json: true });
    expect(p('switchover', 'db')).toMatchObject({ command: 'switchover', args: { group: 'db' } });
    expect(p('failback', 'db')).toMatchObject({ command: 'failback', args: { group: 'db' } });
    expect(p('maintenance', 'on')).toMatchObject({ command: 'maintenance', args: { on: true } });
    expect(p('maintenance', 'off')).toMatchObject({ command: 'maintenance', args: { on: false } });
    expect(p('alarms')).toMatchObject({ command: 'alarms', args: {} });
    expect(p('alarms', 'ack', '7', '--by', 'ops')).toMatchObject({
      command: 'alarm-ack',
      args: { id: 7, by: 'ops' },
    });
    expect(p('config', 'show')).toMatchObject({ command: 'config-show' });
    expect(p('config', 'export', '/tmp/x.json')).toMatchObject({
      command: 'config-export',
      exportFile: '/tmp/x.json',
    });
    expect(p('config', 'import', 'f.json')).toMatchObject({ command: 'config-import', readFile: 'f.json' });
    expect(p('config', 'validate', 'f.json')).toMatchObject({
      command: 'config-validate',
      readFile: 'f.json',
    });
    expect(p('pr')).toMatchObject({ command: 'pr' });
    expect(p('cleanup')).toMatchObject({ command: 'cleanup', args: {} });
    expect(p('cleanup', 'db')).toMatchObject({ command: 'cleanup', args: { group: 'db' } });
    expect(p('--socket', '/tmp/s', 'peer')).toMatchObject({ command: 'peer', socket: '/tmp/s' });
  });

  it('parses log filters', () => {
    expect(
      p('log', '--since', '15m', '--severity', 'warning', '--source', 'cluster', '--limit', '20'),
    ).toMatchObject({
      command: 'log',
      args: { since: NOW - 15 * 60_000, severity: 'warning', source: 'cluster', limit: 20 },
    });
    expect(p('log', '--since=2026-11-05T11:00:00Z')).toMatchObject({ args: { since: NOW - 3_600_000 } });
    expect(parseSince('1700000000000', NOW)).toBe(1_700_000_000_000);
    expect(parseSince('yesterday', NOW)).toBeNull();
  });

  it.each([
    [[], 'COMMAND'],
    [['frobnicate'], 'COMMAND'],
    [['switchover'], 'GROUP'],
    [['switchover', 'bad name!'], 'GROUP'],
    [['maintenance', 'maybe'], 'on|off'],
    [['cleanup', 'bad name!'], 'GROUP'],
    [['cleanup', 'db', 'more'], 'more'],
    [['alarms', 'ack', 'x'], 'ID'],
    [['alarms', 'ack', '0'], 'ID'],
    [['log', '--since', 'soon'], '--since'],
    [['log', '--severity', 'loud'], '--severity'],
    [['log', '--limit', '0'], '--limit'],
    [['log', '--limit'], '--limit'],
    [['status', '--since', '1m'], '--since'],
    [['status', 'extra'], 'extra'],
    [['config'], 'show|export'],
    [['config', 'import'], 'FILE'],
    [['--colour', 'status'], '--colour'],
  ])('%j is a usage error naming %s', (argv, name) => {
    const r = p(...argv);
    expect(r.kind).toBe('usage');
    if (r.kind === 'usage') expect(r.message.startsWith(name)).toBe(true);
  });

  it('cleanup takes an optional group on every channel (MQTT, socket), checked by name', () => {
    const cleanup = commandDef('cleanup');
    expect(checkArgs(cleanup, {})).toEqual({ ok: true, value: {} });
    expect(checkArgs(cleanup, { group: 'db' })).toEqual({ ok: true, value: { group: 'db' } });
    expect(checkArgs(cleanup, { group: 'bad name' })).toMatchObject({ ok: false });
    expect(checkArgs(cleanup, { group: 7 })).toEqual({
      ok: false,
      error: 'args.group: must be a group name (letters, digits, _ . -; at most 64)',
    });
    expect(checkArgs(cleanup, { all: true })).toEqual({
      ok: false,
      error: 'args.all: unknown argument for cleanup',
    });
  });

  it('takeover --force is a real boolean: only true/yes/1 force, false/no/0 do not, anything else is refused', () => {
    expect(p('takeover')).toMatchObject({ command: 'takeover', args: {} });
    expect(p('takeover', '--force')).toMatchObject({ args: { force: true } });
    for (const yes of ['true', 'yes', '1'])
      expect(p('takeover', `--force=${yes}`)).toMatchObject({ args: { force: true } });
    for (const no of ['false', 'no', '0'])
      expect(p('takeover', `--force=${no}`)).toMatchObject({ args: { force: false } });
    for (const bad of ['maybe', 'NO', 'y', '']) {
      const r = p('takeover', `--force=${bad}`);
      expect(r.kind).toBe('usage');
      if (r.kind === 'usage') expect(r.message.startsWith('--force:')).toBe(true);
    }
    // A switch takes no separate word: the "no" is a stray argument, not a value.
    expect(p('takeover', '--force', 'no')).toMatchObject({
      kind: 'usage',
      message: expect.stringMatching(/^no: unexpected/) as unknown,
    });
    expect(p('takeover', '--force', '--force=no')).toMatchObject({
      kind: 'usage',
      message: expect.stringMatching(/^--force: given more than once/) as unknown,
    });
  });

  it('checks values by the registry’s rules and names the word as the usage spells it', () => {
    expect(p('switchover', 'bad name!')).toEqual({
      kind: 'usage',
      message: 'GROUP: "bad name!" must be a group name (letters, digits, _ . -; at most 64)',
    });
    expect(p('log', '--limit', '0')).toEqual({
      kind: 'usage',
      message: '--limit: "0" must be an integer from 1 to 10000',
    });
    expect(p('alarms', 'ack', '7', '--by', ' x')).toMatchObject({
      kind: 'usage',
      message: expect.stringMatching(/^--by: " x" must be a name/) as unknown,
    });
    expect(p('config')).toEqual({
      kind: 'usage',
      message: 'show|export|import|validate|set-identity: config needs one of these, got ""',
    });
    expect(p('help', 'log')).toEqual({ kind: 'help', topic: ['log'] });
    expect(p('status', '-h')).toEqual({ kind: 'help', topic: ['status'] });
  });
});
