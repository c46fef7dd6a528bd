// The front panel's socket lies beside the control socket (so a lab that
// gives each controller its own control socket gives each its own panel
// socket too). The daemon serves it with the operator role: the panel may
// acknowledge, mute, locate and switch over, never change the config.
import { dirname, join } from 'node:path';
import { paths } from '../../hal/paths.ts';

export function panelSocketPath(controlSocket: string = paths.controlSocket): string {
  return join(dirname(controlSocket), 'panel.sock');
}
