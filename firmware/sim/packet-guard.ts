// The embedded broker's packet limit. aedes 1.2 and its parser (mqtt-packet
// 9) have no maximum packet size: they buffer whatever length a fixed header
// declares. So each connection passes through a guard that reads the MQTT
// framing (one type byte, the remaining length as 1-4 bytes of 7 bits, then
// that many bytes) and closes the connection as soon as a header declares a
// packet over the limit, before its payload is read: what mosquitto's
// max_packet_size does for the lab's broker. The rest of the bytes pass
// through unchanged, both ways.
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/** Why a connection was closed: the size a header declared, or a malformed length. */
export type FrameRefusal =
  { readonly kind: 'oversized'; readonly bytes: number } | { readonly kind: 'malformed' };

/** Follows MQTT packet boundaries in a byte stream without keeping the bytes. */
export class MqttFrameScanner {
  private readonly maxBytes: number;
  /** 'type': next byte starts a packet; 'length': in the remaining length; 'body': skipping. */
  private phase: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private lengthBytes = 0;
  private left = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** null while every packet so far fits; else why the stream must stop. */
  push(chunk: Buffer): FrameRefusal | null {
    let i = 0;
    while (i < chunk.length) {
      switch (this.phase) {
        case 'type':
          i += 1;
          this.phase = 'length';
          this.length = 0;
          this.lengthBytes = 0;
          break;
        case 'length': {
          const byte = chunk[i] ?? 0;
          i += 1;
          this.length += (byte & 0x7f) * 128 ** this.lengthBytes;
          this.lengthBytes += 1;
          if (byte & 0x80) {
            // MQTT allows at most four length bytes.
            if (this.lengthBytes === 4) return { kind: 'malformed' };
            break;
          }
          const bytes = 1 + this.lengthBytes + this.length;
          if (bytes > this.maxBytes) return { kind: 'oversized', bytes };
          this.left = this.length;
          this.phase = this.left === 0 ? 'type' : 'body';
          break;
        }
        case 'body': {
          const take = Math.min(this.left, chunk.length - i);
          i += take;
          this.left -= take;
          if (this.left === 0) this.phase = 'type';
          break;
        }
      }
    }
    return null;
  }
}

/**
 * The socket as a stream for aedes, closed (the socket destroyed) when the
 * client sends a packet over `maxBytes` or a malformed length; `refused` is
 * told why. Bytes of earlier packets in the same read are dropped with it,
 * as the connection is gone anyway.
 */
export function guardedConnection(
  socket: Socket,
  maxBytes: number,
  refused: (why: FrameRefusal) => void,
): Duplex {
  const scanner = new MqttFrameScanner(maxBytes);
  const conn = new Duplex({
    read: () => {
      socket.resume();
    },
    write: (chunk: Buffer, _encoding, callback) => {
      socket.write(chunk, (err) => callback(err ?? null));
    },
    final: (callback) => {
      socket.end(() => callback());
    },
    destroy: (err, callback) => {
      socket.destroy();
      callback(err);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    if (conn.destroyed) return;
    const why = scanner.push(chunk);
    if (why !== null) {
      refused(why);
      conn.destroy();
      return;
    }
    if (!conn.push(chunk)) socket.pause();
  });
  socket.on('end', () => conn.push(null));
  socket.on('error', (err) => conn.destroy(err));
  socket.on('close', () => conn.destroy());
  return conn;
}
