// DatagramSocket on node:dgram. IPv4 or IPv6 is chosen from the bind address.
import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { HalError } from '../errors.ts';
import { MAX_DATAGRAM_BYTES, type DatagramEvents, type DatagramSocket } from './datagram.ts';

export class LinuxDatagramSocket extends EventEmitter<DatagramEvents> implements DatagramSocket {
  description = 'udp (unbound)';
  private sock: Socket | undefined;

  bind(address: string, port: number): Promise<void> {
    const family = isIP(address);
    if (family === 0)
      return Promise.reject(new HalError('invalid-argument', 'udp', `bad address ${address}`));
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      return Promise.reject(new HalError('invalid-argument', 'udp', `bad port ${port}`));
    }
    if (this.sock !== undefined)
      return Promise.reject(new HalError('busy', this.description, 'already bound'));
    this.description = `udp ${address}:${port}`;
    const sock = createSocket({ type: family === 6 ? 'udp6' : 'udp4', reuseAddr: true });
    this.sock = sock;
    return new Promise((resolve, reject) => {
      const onBindError = (err: Error): void => {
        this.sock = undefined;
        sock.close();
        reject(new HalError(codeOf(err), this.description, `bind failed: ${err.message}`, { cause: err }));
      };
      sock.once('error', onBindError);
      sock.bind({ address, port, exclusive: true }, () => {
        sock.off('error', onBindError);
        sock.on('message', (msg, rinfo) =>
          this.emit('message', msg, { address: rinfo.address, port: rinfo.port }),
        );
        sock.on('error', (err) => {
          // ICMP errors (peer port unreachable while it restarts) are not fatal
          // for a UDP socket; anything else is, and we report and close.
          if (/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH/.test(err.message)) return;
          this.emit('error', new HalError(codeOf(err), this.description, err.message, { cause: err }));
          void this.close();
        });
        sock.on('close', () => {
          if (this.sock === sock) this.sock = undefined;
          this.emit('close');
        });
        resolve();
      });
    });
  }

  send(data: Uint8Array, address: string, port: number): Promise<void> {
    const sock = this.sock;
    if (sock === undefined) return Promise.reject(new HalError('not-open', this.description, 'not bound'));
    if (data.byteLength > MAX_DATAGRAM_BYTES) {
      return Promise.reject(
        new HalError('invalid-argument', this.description, `${data.byteLength} bytes too large`),
      );
    }
    return new Promise((resolve, reject) => {
      sock.send(data, port, address, (err) =>
        err
          ? reject(new HalError(codeOf(err), this.description, `send failed: ${err.message}`, { cause: err }))
          : resolve(),
      );
    });
  }

  close(): Promise<void> {
    const sock = this.sock;
    if (sock === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      sock.close(() => resolve());
    });
  }
}

function codeOf(err: Error): 'busy' | 'disconnected' | 'io' {
  if (/EADDRINUSE/.test(err.message)) return 'busy';
  if (/EADDRNOTAVAIL|ENETDOWN|ENETUNREACH|EHOSTUNREACH/.test(err.message)) return 'disconnected';
  return 'io';
}
