// The front panel's socket lies beside the control socket (so a lab that
// gives each controller its own control socket gives each its own panel
// socket too). The daemon serves it with the operator role: the panel may
// acknowledge, mute, locate and switch over, never change the config.
import { dirname, join } from 'node:path';
import { paths } from '../../hal/paths.ts';

export function panelSocketPath(controlSocket: string = paths.controlSocket): string {
  return join(dirname(controlSocket), 'panel.sock');
}

// The web process's socket lies there too. The daemon serves it with the
// admin role, but each request runs at most with the role of the web user it
// names (`as`, console/on-behalf.ts), and one without `as` as a viewer.
export function webSocketPath(controlSocket: string = paths.controlSocket): string {
  return join(dirname(controlSocket), 'web.sock');
}
