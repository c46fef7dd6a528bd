// Worker thread owning one /dev/sgN file descriptor. SG_IO blocks the calling
// thread for as long as the device takes, so it runs here and the main event
// loop (heartbeats, watchdog) keeps ticking. Started by sg-device.ts.
import { closeSync, constants, openSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { sgIoctl } from './ffi.ts';
import type { FromWorker, SgWorkerData, ToWorker } from './protocol.ts';

function post(port: MessagePort, msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
}

function errnoOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  return (osConstants.errno as Record<string, number | undefined>)[code];
}

function main(port: MessagePort, data: SgWorkerData): void {
  let fd: number;
  try {
    // O_NONBLOCK: open must not wait for an exclusive opener to go away.
    fd = openSync(data.path, constants.O_RDWR | constants.O_NONBLOCK);
  } catch (err) {
    post(port, { type: 'open-failed', errno: errnoOf(err), message: String(err) });
    port.close();
    return;
  }
  port.on('message', (msg: ToWorker) => {
    switch (msg.type) {
      case 'exec':
        try {
          // pack_id is a C int; it only helps when reading kernel traces.
          const reply = sgIoctl(fd, msg.req, msg.id & 0x7fff_ffff);
          const transfer = reply.ok ? [reply.header.buffer, reply.sense.buffer, reply.data.buffer] : [];
          post(port, { type: 'reply', id: msg.id, reply }, transfer as ArrayBuffer[]);
        } catch (err) {
          post(port, { type: 'failed', id: msg.id, message: String(err) });
        }
        break;
      case 'close':
        closeSync(fd);
        post(port, { type: 'closed' });
        port.close(); // lets the worker thread end
        break;
    }
  });
  post(port, { type: 'ready' });
}

if (parentPort === null) throw new Error('hal/scsi/sg/worker.ts must run as a worker thread');
main(parentPort, workerData as SgWorkerData);
