// What each panel action asks of the daemon, as a command of the registry.
import type { CommandName } from '../core/envelope.ts';
import type { PanelAction } from './types.ts';

const BY = 'front panel';

export function commandFor(a: PanelAction): { command: CommandName; args: Record<string, unknown> } {
  switch (a.kind) {
    case 'ack':
      return { command: 'alarm-ack', args: { id: a.alarmId, by: BY } };
    case 'mute':
      return { command: 'mute', args: { by: BY } };
    case 'switchover':
      // The daemon moves the group to the peer; `to` was shown on the confirmation screen.
      return { command: 'switchover', args: { group: a.group } };
    case 'sign-in-code':
      return { command: 'initial-password', args: {} };
  }
}
