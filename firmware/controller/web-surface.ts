// The daemon's side of the web panel (issue #15): web.sock, beside the
// control socket, where the web process sends each request on behalf of the
// logged-in user (console/on-behalf.ts), and the first start of the web
// users (users/first-start.ts: the box's secret, the initial password on the
// serial console).
import type { Clock } from '../../hal/clock/clock.ts';
import type { RegistryCommands } from '../commands/dispatch.ts';
import type { ConfigManager } from '../config/config-manager.ts';
import { webSocketPath } from '../console/panel-socket.ts';
import { ControlSocketServer } from '../console/server.ts';
import type { Extension } from '../core/extension.ts';
import type { EventLog } from '../events/event-log.ts';
import { WebFirstStart } from '../users/first-start.ts';

export interface WebSurfaceOptions {
  readonly commands: RegistryCommands;
  readonly config: ConfigManager;
  readonly events: EventLog;
  readonly clock: Clock;
  readonly controlSocket: string;
  readonly consolePath: string;
  /** This controller is the first of box.controllerIds (it makes web.secret at once). */
  readonly first: boolean;
  /** false: no WebFirstStart (an unconfigured controller: the first boot shows the password). */
  readonly firstStart?: boolean;
  /** The web secret whose initial password the console already shows (first boot): not written again. */
  readonly shownSecret?: string;
}

export function webSurfaces(o: WebSurfaceOptions): Extension[] {
  const warn = (message: string): void => {
    o.events.append({ severity: 'warning', source: 'web', code: 'WEB_SOCKET_WARNING', message });
  };
  const firstStart =
    o.firstStart === false
      ? []
      : [
          new WebFirstStart({
            config: o.config,
            first: o.first,
            clock: o.clock,
            consolePath: o.consolePath,
            log: (severity, code, message) => o.events.append({ severity, source: 'web', code, message }),
            ...(o.shownSecret !== undefined ? { shownSecret: o.shownSecret } : {}),
          }),
        ];
  return [
    ...firstStart,
    new ControlSocketServer({
      socketPath: webSocketPath(o.controlSocket),
      // Root-only like the control socket; each request runs as its web user at most.
      commandHandler: o.commands.with({ webChannel: true, defaultActor: 'web' }),
      role: 'admin',
      onBehalf: {
        handlerFor: (as) =>
          o.commands.with({
            webChannel: true,
            defaultActor: as === null ? 'web (nobody logged in)' : `${as.user}@${as.address} (web)`,
            ...(as === null ? {} : { onBehalf: as }),
          }),
        audit: (event) => o.events.append(event),
      },
      log: { warn },
    }),
  ];
}
