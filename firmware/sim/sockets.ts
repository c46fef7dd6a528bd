// The simulated box's control sockets: one per controller, each the very
// server the daemon runs (console/server.ts), so `tandemctl --controller A|B`
// talks to the sim exactly as tandemctl talks to a controller. A socket
// outlives its controller's process: while the controller is killed it
// answers that it is not running, and after a restart it reaches the new
// process.
import { createConnection } from 'node:net';
import type { ControllerId } from '../cluster/codes.ts';
import { ControlSocketServer } from '../console/server.ts';
import type { CommandHandler, CommandRequest, CommandResponse } from '../core/envelope.ts';
import type { SimBox } from './box.ts';
import { simCommands } from './console-run.ts';
import type { SimSocketPaths } from './options.ts';

/** Controller `c`'s commands while it runs; an error reply while it does not. */
export function controllerHandler(box: SimBox, c: ControllerId): CommandHandler {
  return {
    handle: (request: CommandRequest): Promise<CommandResponse> => {
      const handler = simCommands(box, c);
      if (handler !== undefined) return handler.handle(request);
      return Promise.resolve({
        status: 'error',
        data: null,
        error: `controller ${c} of the simulated box is not running (type restart ${c} there)`,
        transaction: request.transaction,
      });
    },
  };
}

/** Whether something answers on the socket (another simulated box running). */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export class SimControlSockets {
  readonly paths: SimSocketPaths;
  private readonly servers: ControlSocketServer[];

  constructor(options: { box: SimBox; paths: SimSocketPaths; log?: { warn(message: string): void } }) {
    this.paths = options.paths;
    this.servers = (['A', 'B'] as const).map(
      (c) =>
        new ControlSocketServer({
          socketPath: options.paths[c],
          commandHandler: controllerHandler(options.box, c),
          ...(options.log === undefined ? {} : { log: options.log }),
        }),
    );
  }

  /** Opens both sockets; refuses to take over one that another running box still answers on. */
  async start(): Promise<void> {
    for (const c of ['A', 'B'] as const) {
      if (await answers(this.paths[c]))
        throw new Error(
          `${this.paths[c]} is in use: is another simulated box running? (or set TANDEM_RUN_DIR)`,
        );
    }
    const started: ControlSocketServer[] = [];
    try {
      for (const server of this.servers) {
        await server.start();
        started.push(server);
      }
    } catch (err) {
      for (const server of started) await server.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    for (const server of this.servers) await server.stop();
  }
}
