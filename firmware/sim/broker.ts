// The embedded MQTT broker of the simulated box (aedes, MQTT 3.1.1), on
// loopback only. If the asked-for port is taken we say so and take a free one.
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBroker {
  readonly port: number;
  /** Set when the asked-for port was busy. */
  readonly note: string | undefined;
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
    });
  });
}

export async function startBroker(port: number): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker();
  const server = createServer((socket) => aedes.handle(socket));
  let note: string | undefined;
  let bound: number;
  try {
    bound = await listen(server, port);
  } catch (err) {
    bound = await listen(server, 0);
    note = `port ${port} is taken (${(err as Error).message}); the broker listens on ${bound} instead`;
  }
  return {
    port: bound,
    note,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => aedes.close(() => resolve()));
      }),
  };
}
