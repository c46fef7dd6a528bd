// Messages between SgDevice (main thread) and its worker. One worker per open
// device; the main thread sends one 'exec' at a time, so the worker is a plain
// loop: receive, block in ioctl, reply.
import type { MessagePort } from 'node:worker_threads';
import type { RawSgReply } from './ffi.ts';
import type { SgRequest } from './validate.ts';

export interface SgWorkerData {
  readonly path: string;
  /** A substitute worker's own line (the sim kernel's to its target); unused by worker.ts. */
  readonly port?: MessagePort;
  /** The main thread runs the heartbeat at real-time priority: this worker asks for it too. */
  readonly realtime?: boolean;
}

export type ToWorker =
  { readonly type: 'exec'; readonly id: number; readonly req: SgRequest } | { readonly type: 'close' };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'open-failed'; readonly errno: number | undefined; readonly message: string }
  | { readonly type: 'reply'; readonly id: number; readonly reply: RawSgReply }
  | { readonly type: 'failed'; readonly id: number; readonly message: string }
  | { readonly type: 'closed' };

const TYPES: ReadonlySet<string> = new Set(['ready', 'open-failed', 'reply', 'failed', 'closed']);

/** Shape check on what comes back over the port: a bad worker script must not crash us. */
export function isFromWorker(msg: unknown): msg is FromWorker {
  if (typeof msg !== 'object' || msg === null) return false;
  const m = msg as { type?: unknown; id?: unknown; reply?: unknown };
  if (typeof m.type !== 'string' || !TYPES.has(m.type)) return false;
  if (m.type === 'reply' || m.type === 'failed') {
    if (typeof m.id !== 'number') return false;
  }
  if (m.type === 'reply') {
    const r = m.reply as {
      ok?: unknown;
      errno?: unknown;
      header?: unknown;
      sense?: unknown;
      data?: unknown;
    } | null;
    if (typeof r !== 'object' || r === null) return false;
    if (r.ok === false) return typeof r.errno === 'number';
    return (
      r.ok === true &&
      r.header instanceof Uint8Array &&
      r.sense instanceof Uint8Array &&
      r.data instanceof Uint8Array
    );
  }
  return true;
}
