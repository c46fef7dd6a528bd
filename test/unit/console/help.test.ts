// tandemctl's help comes from the command registry: the command list of
// --help and `help COMMAND` say what each command's declaration says.
import { describe, expect, it } from 'vitest';
import { commandHelp, synopsis } from '../../../firmware/commands/help.ts';
import { commandDef, REGISTRY } from '../../../firmware/commands/registry.ts';
import { main } from '../../../firmware/console/tandemctl.ts';
import { capturedIo } from './captured-io.ts';
import { helpText, USAGE } from '../../../firmware/console/usage.ts';

describe('tandemctl help', () => {
  it('--help lists every registry command with its synopsis and summary', async () => {
    const io = capturedIo();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.stdout.join('\n')).toBe(USAGE);
    for (const def of REGISTRY) {
      expect(USAGE).toContain(`  ${synopsis(def)}`);
      expect(USAGE.replace(/\n {30}/g, ' ')).toContain(def.summary);
    }
    expect(synopsis(commandDef('alarm-ack'))).toBe('alarms ack ID [--by NAME]');
    expect(synopsis(commandDef('config-export'))).toBe('config export [FILE]');
  });

  it('help COMMAND shows the declaration: arguments, role, MQTT name', async () => {
    const io = capturedIo();
    expect(await main(['help', 'switchover'], io)).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toBe(commandHelp(commandDef('switchover')));
    expect(text).toContain('usage: tandemctl switchover GROUP');
    expect(text.replace(/\s+/g, ' ')).toContain(
      'GROUP the group to move; it must run on this controller. Must be a group name (letters, digits, _ . -; at most 64)',
    );
    expect(text).toContain('role: operator');
    expect(text).toContain('MQTT: request/switchover, args group');
    expect(helpText(['alarms', 'ack'])).toContain('usage: tandemctl alarms ack ID [--by NAME]');
    expect(helpText(['config', 'export'])).toContain('role: viewer; admin with includeSecrets');
    expect(helpText(['takeover'])).toContain('--force=no');
  });

  it('COMMAND --help is that command’s help; an unknown one is a usage error', async () => {
    let io = capturedIo();
    expect(await main(['maintenance', '--help'], io)).toBe(0);
    expect(io.stdout.join('\n')).toBe(commandHelp(commandDef('maintenance')));
    io = capturedIo();
    expect(await main(['help', 'frobnicate'], io)).toBe(2);
    expect(io.stderr[0]).toMatch(/^tandemctl: COMMAND: no command "frobnicate"/);
  });
});
