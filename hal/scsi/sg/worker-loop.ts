// The SG worker's message loop: open the node, then for each 'exec' block in
// ioctl(SG_IO) and post the raw reply. The three system calls come in from
// the script that runs it: worker.ts passes the real ones, sim-worker.ts the
// sim kernel's, so the loop, the buffers and the header code are one code
// path whichever answers.
import { constants as osConstants } from 'node:os';
import type { MessagePort } from 'node:worker_threads';
import { sgIoctl, type IoctlFn } from './ffi.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

export interface SgSyscalls {
  /** open(2) with O_RDWR|O_NONBLOCK; throws an errno-coded error as node:fs does. */
  open(path: string): number;
  readonly ioctl: IoctlFn;
  close(fd: number): void;
}

function post(port: MessagePort, msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
}

function errnoOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  return (osConstants.errno as Record<string, number | undefined>)[code];
}

export function serveSgWorker(port: MessagePort, path: string, sys: SgSyscalls): void {
  let fd: number;
  try {
    fd = sys.open(path);
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
          const reply = sgIoctl(fd, msg.req, msg.id & 0x7fff_ffff, sys.ioctl);
          const transfer = reply.ok ? [reply.header.buffer, reply.sense.buffer, reply.data.buffer] : [];
          post(port, { type: 'reply', id: msg.id, reply }, transfer as ArrayBuffer[]);
        } catch (err) {
          post(port, { type: 'failed', id: msg.id, message: String(err) });
        }
        break;
      case 'close':
        try {
          sys.close(fd);
        } finally {
          post(port, { type: 'closed' });
          port.close(); // lets the worker thread end
        }
        break;
    }
  });
  post(port, { type: 'ready' });
}
