// The sim console: fault commands, and tandemctl commands for A or B parsed
// by tandemctl's parser and run through the command registry.
import { describe, expect, it } from 'vitest';
import { RegistryCommands } from '../../../firmware/commands/dispatch.ts';
import { commandHelp } from '../../../firmware/commands/help.ts';
import { commandDef } from '../../../firmware/commands/registry.ts';
import { runSimCommand } from '../../../firmware/sim/console-run.ts';
import { HELP, parseSimCommand } from '../../../firmware/sim/console.ts';
import { fakeContext, fakeHost } from '../commands/fake-context.ts';

describe('sim console', () => {
  it('parses a tandemctl command for A or B as tandemctl does', () => {
    expect(parseSimCommand('A switchover db')).toMatchObject({
      kind: 'command',
      controller: 'A',
      request: { command: 'switchover', args: { group: 'db' } },
    });
    expect(parseSimCommand('b takeover --force=no')).toMatchObject({
      kind: 'command',
      controller: 'B',
      request: { command: 'takeover', args: { force: false } },
    });
    expect(parseSimCommand('A switchover')).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/^GROUP: /) as unknown,
    });
    expect(parseSimCommand('A config import f.json')).toEqual({
      kind: 'error',
      message: 'FILE: the sim console reads and writes no files',
    });
    expect(parseSimCommand('A reboot')).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/^COMMAND: /) as unknown,
    });
  });

  it('status, alarms and log read controller A unless the next word names A or B', () => {
    expect(parseSimCommand('status')).toMatchObject({
      kind: 'command',
      controller: 'A',
      request: { command: 'status', args: {} },
    });
    expect(parseSimCommand('status b')).toMatchObject({ controller: 'B', request: { command: 'status' } });
    expect(parseSimCommand('alarms B')).toMatchObject({ controller: 'B', request: { command: 'alarms' } });
    expect(parseSimCommand('alarms ack 3')).toMatchObject({
      controller: 'A',
      request: { command: 'alarm-ack', args: { id: 3 } },
    });
    expect(parseSimCommand('alarms B ack 3 --by ops')).toMatchObject({
      controller: 'B',
      request: { command: 'alarm-ack', args: { id: 3, by: 'ops' } },
    });
    expect(parseSimCommand('log')).toMatchObject({ controller: 'A', request: { command: 'log', args: {} } });
    expect(parseSimCommand('log B --severity warning --limit 5')).toMatchObject({
      controller: 'B',
      request: { command: 'log', args: { severity: 'warning', limit: 5 } },
    });
    expect(parseSimCommand('log --limit x')).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/^--limit: /) as unknown,
    });
    expect(parseSimCommand('status C')).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/^C: unexpected argument/) as unknown,
    });
  });

  it('the sim console picks its controller by name, not by --controller or --socket', () => {
    expect(parseSimCommand('A --controller B status')).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/^--controller: /) as unknown,
    });
    expect(parseSimCommand('status --socket /tmp/s')).toEqual({
      kind: 'error',
      message: '--socket: the sim console talks to its controllers directly',
    });
  });

  it('help lists the fault commands and the registry’s commands; help COMMAND is the registry’s help', () => {
    expect(parseSimCommand('help')).toEqual({ kind: 'help', text: HELP });
    expect(HELP).toContain('  alarms ack ID [--by NAME]');
    for (const reader of ['status [A|B]', 'alarms [A|B]', 'log [A|B] [OPTIONS]'])
      expect(HELP).toContain(`  ${reader}`);
    expect(parseSimCommand('help maintenance')).toEqual({
      kind: 'help',
      text: commandHelp(commandDef('maintenance')),
    });
    expect(parseSimCommand('B help pr')).toEqual({ kind: 'help', text: commandHelp(commandDef('pr')) });
  });

  it('runs the command on the controller and prints what tandemctl would', async () => {
    const host = fakeHost();
    const handler = new RegistryCommands(fakeContext(host));
    const run = async (line: string) => {
      const cmd = parseSimCommand(line);
      if (cmd.kind !== 'command') throw new Error(`not a command: ${line}`);
      return runSimCommand(handler, cmd.controller, cmd.request, 0);
    };
    expect(await run('A groups')).toMatch(/^GROUP\s+PREFERRED\s+OWNER/);
    expect(await run('A takeover --force=no')).toMatch(/^\? A takeover: force: false/);
    expect(host.ops).toEqual([]);
    expect(JSON.parse(await run('A --json maintenance on'))).toMatchObject({ status: 'ok' });
    expect(host.ops.map((o) => o.op)).toEqual(['maintenance-on']);
    const request = {
      kind: 'request' as const,
      command: 'status' as const,
      args: {},
      json: false,
      socket: undefined,
    };
    expect(await runSimCommand(undefined, 'B', request, 0)).toBe('? B is not running (restart B)');
  });
});
