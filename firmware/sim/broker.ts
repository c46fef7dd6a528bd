// The embedded MQTT broker of the simulated box (aedes, MQTT 3.1.1), on
// loopback only. If the asked-for port is taken we say so and take a free one.
//
// It does not accept anyone: a username and password are generated at start
// (simCredentials) and printed by `npm start`, and every other CONNECT is
// refused, so another local user cannot read the box's responses or publish
// requests to it. The password is compared in constant time.
//
// Nor does it take any size of packet: like the lab's mosquitto
// (max_packet_size) it closes the connection of a client that sends a packet
// over LIMITS.mqttPacketBytes (core/limits.ts),
// before reading it (packet-guard.ts), so an oversized request never reaches
// a controller and the broker does not buffer it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { LIMITS } from '../core/limits.ts';
import { guardedConnection, type FrameRefusal } from './packet-guard.ts';

export interface BrokerCredentials {
  readonly username: string;
  readonly password: string;
}

export interface EmbeddedBroker {
  readonly port: number;
  /** Set when the asked-for port was busy. */
  readonly note: string | undefined;
  /** Connections refused for wrong or missing credentials. */
  readonly refusedLogins: () => number;
  /** Connections closed for a packet over the limit (or a malformed length). */
  readonly refusedPackets: () => number;
  close(): Promise<void>;
}

/** Fresh credentials for one run of the simulated box: 144 random bits of password. */
export function simCredentials(): BrokerCredentials {
  return { username: 'tandem-sim', password: randomBytes(18).toString('base64url') };
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

function same(given: Readonly<Buffer | string | undefined>, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface BrokerOptions {
  /** Default LIMITS.mqttPacketBytes. */
  readonly maxPacketBytes?: number;
  /** Told each time a client is closed for its packet. */
  readonly onRefusedPacket?: (message: string) => void;
}

function refusalText(why: FrameRefusal, max: number): string {
  return why.kind === 'oversized'
    ? `closed a client that sent a ${why.bytes}-byte packet (limit ${max} bytes)`
    : 'closed a client that sent a malformed packet length';
}

export async function startBroker(
  port: number,
  credentials: BrokerCredentials,
  options: BrokerOptions = {},
): Promise<EmbeddedBroker> {
  const maxPacket = options.maxPacketBytes ?? LIMITS.mqttPacketBytes;
  let refused = 0;
  let refusedPackets = 0;
  const aedes = await Aedes.createBroker({
    authenticate: (_client, username, password, done) => {
      const ok = same(username, credentials.username) && same(password, credentials.password);
      if (!ok) refused += 1;
      done(null, ok);
    },
  });
  const server = createServer((socket) =>
    aedes.handle(
      guardedConnection(socket, maxPacket, (why) => {
        refusedPackets += 1;
        options.onRefusedPacket?.(refusalText(why, maxPacket));
      }),
    ),
  );
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
    refusedLogins: () => refused,
    refusedPackets: () => refusedPackets,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => aedes.close(() => resolve()));
      }),
  };
}
