// ScsiDevice over Linux SG_IO. Each open device owns one worker thread that
// holds the fd and blocks in ioctl; commands are queued here and sent one at
// a time, and every command has a JS-side deadline so a wedged HBA can never
// leave a caller (say, the fencing logic) waiting forever.
import { statSync } from 'node:fs';
import { constants } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { HalError } from '../../errors.ts';
import { paths } from '../../paths.ts';
import { realtimeForWorkers } from '../../sched/realtime.ts';
import type { ScsiCommand, ScsiDevice, ScsiResult } from '../device.ts';
import { errnoError, interpretResult } from './classify.ts';
import { SgError } from './errors.ts';
import { decodeSgIoResult } from './header.ts';
import { isFromWorker } from './protocol.ts';
import type { FromWorker, SgWorkerData, ToWorker } from './protocol.ts';
import { validateCommand } from './validate.ts';
import type { SgRequest } from './validate.ts';

export interface SgDeviceOptions {
  /** Defaults to paths.scsiGeneric (TANDEM_SCSI_GENERIC). */
  readonly path?: string;
  /**
   * Extra time past cmd.timeoutMs before the JS side gives up on the worker.
   * When the kernel's timeout fires it still runs SCSI error handling (abort,
   * maybe reset) before SG_IO returns; the grace lets that richer answer win.
   */
  readonly graceMs?: number;
  /** How long open may take (worker start-up + open(2)). */
  readonly openTimeoutMs?: number;
  /** How long close() waits for the worker before abandoning it. */
  readonly closeTimeoutMs?: number;
  /** Worker script speaking protocol.ts; tests substitute a stalled one, or sim-worker.ts. */
  readonly workerUrl?: URL;
  /** Handed (transferred) to a substitute worker in workerData.port: the sim's line to its target. */
  readonly workerPort?: MessagePort;
}

interface Pending {
  readonly id: number;
  readonly req: SgRequest;
  readonly deadline: number;
  readonly resolve: (r: ScsiResult) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
  /** The caller already got a timeout; a late reply is dropped. */
  abandoned: boolean;
}

// Started by URL, not imported: the sibling in this module's own language
// (worker.js where the tree was emitted as JavaScript, as the kernel tier does).
const DEFAULT_WORKER = new URL(
  import.meta.url.endsWith('.js') ? './worker.js' : './worker.ts',
  import.meta.url,
);

function checkMs(name: string, v: number, path: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 3_600_000) {
    throw new SgError('invalid-argument', path, `${name} must be an integer in 0..3600000, got ${v}`);
  }
  return v;
}

export class SgDevice implements ScsiDevice {
  readonly description: string;
  readonly #worker: Worker;
  readonly #graceMs: number;
  readonly #closeTimeoutMs: number;
  readonly #queue: Pending[] = [];
  #inFlight: Pending | undefined;
  #nextId = 1;
  #state: 'open' | 'closing' | 'closed' = 'open';
  #onClosed: (() => void) | undefined;

  /** Use openSgDevice(); this wraps a worker that has already opened the fd. */
  constructor(worker: Worker, path: string, graceMs: number, closeTimeoutMs: number) {
    this.description = path;
    this.#worker = worker;
    this.#graceMs = graceMs;
    this.#closeTimeoutMs = closeTimeoutMs;
    worker.on('message', (msg: unknown) => this.#onMessage(msg));
    worker.on('error', (err) =>
      this.#fail(new SgError('io', path, `worker crashed: ${err.message}`, {}, { cause: err })),
    );
    worker.on('exit', () => this.#onExit());
  }

  async execute(cmd: ScsiCommand): Promise<ScsiResult> {
    if (this.#state !== 'open') throw new HalError('closed', this.description, 'device is closed');
    const req = validateCommand(this.description, cmd);
    return new Promise<ScsiResult>((resolve, reject) => {
      const id = this.#nextId++;
      const limit = req.timeoutMs + this.#graceMs;
      const timer = setTimeout(() => this.#onDeadline(p), limit);
      const p: Pending = {
        id,
        req,
        deadline: Date.now() + req.timeoutMs,
        resolve,
        reject,
        timer,
        abandoned: false,
      };
      this.#queue.push(p);
      this.#pump();
    });
  }

  async close(): Promise<void> {
    if (this.#state !== 'open') return;
    this.#state = 'closing';
    const closed = new HalError('closed', this.description, 'device closed while the command was pending');
    for (const p of this.#queue.splice(0)) this.#settle(p, closed);
    if (this.#inFlight !== undefined) this.#settle(this.#inFlight, closed);
    const exited = new Promise<boolean>((resolve) => {
      this.#onClosed = () => resolve(true);
      setTimeout(() => resolve(false), this.#closeTimeoutMs).unref();
    });
    this.#post({ type: 'close' });
    if (!(await exited)) {
      // The worker is stuck in ioctl (a syscall cannot be interrupted from
      // JS). Ask it to stop, and stop it keeping the process alive meanwhile.
      this.#worker.unref();
      this.#worker.terminate().catch(() => undefined);
    }
    this.#state = 'closed';
  }

  #post(msg: ToWorker): void {
    this.#worker.postMessage(msg);
  }

  #pump(): void {
    if (this.#inFlight !== undefined || this.#state !== 'open') return;
    const p = this.#queue.shift();
    if (p === undefined) return;
    this.#inFlight = p;
    // Time spent queued behind other commands counts against this one.
    const timeoutMs = Math.max(1, Math.min(p.req.timeoutMs, p.deadline - Date.now()));
    this.#post({ type: 'exec', id: p.id, req: { ...p.req, timeoutMs } });
  }

  #settle(p: Pending, outcome: Error | ScsiResult): void {
    clearTimeout(p.timer);
    if (p.abandoned) return;
    p.abandoned = true;
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }

  #onDeadline(p: Pending): void {
    const queued = this.#queue.indexOf(p);
    if (queued >= 0) this.#queue.splice(queued, 1);
    // If in flight, #inFlight stays set: the worker is still inside ioctl and
    // the next command must wait for it; its late reply is then dropped.
    const where = queued >= 0 ? 'while queued' : 'with no answer from SG_IO';
    this.#settle(
      p,
      new SgError(
        'timeout',
        this.description,
        `command timed out after ${p.req.timeoutMs} ms (+${this.#graceMs} ms grace) ${where}`,
      ),
    );
  }

  #onMessage(raw: unknown): void {
    if (!isFromWorker(raw)) {
      this.#fail(new SgError('protocol', this.description, 'malformed message from the SG worker'));
      return;
    }
    const msg: FromWorker = raw;
    switch (msg.type) {
      case 'reply':
      case 'failed': {
        const p = this.#inFlight;
        if (p === undefined || p.id !== msg.id) return; // stale answer to an abandoned command
        this.#inFlight = undefined;
        this.#settle(p, this.#outcome(p, msg));
        this.#pump();
        return;
      }
      case 'closed':
      case 'ready':
      case 'open-failed':
        return; // 'closed' is followed by the exit event; the others only occur during open
    }
  }

  #outcome(p: Pending, msg: Extract<FromWorker, { type: 'reply' | 'failed' }>): Error | ScsiResult {
    if (msg.type === 'failed') return new SgError('io', this.description, `SG worker: ${msg.message}`);
    const r = msg.reply;
    if (!r.ok) return errnoError(this.description, 'ioctl(SG_IO)', r.errno);
    try {
      return interpretResult(this.description, p.req, decodeSgIoResult(r.header), r.sense, r.data);
    } catch (err) {
      return err instanceof Error ? err : new SgError('protocol', this.description, String(err));
    }
  }

  #fail(err: Error): void {
    for (const p of this.#queue.splice(0)) this.#settle(p, err);
    if (this.#inFlight !== undefined) this.#settle(this.#inFlight, err);
    this.#inFlight = undefined;
    if (this.#state === 'open') {
      this.#state = 'closed';
      this.#worker.terminate().catch(() => undefined);
    }
  }

  #onExit(): void {
    this.#onClosed?.();
    if (this.#state === 'open')
      this.#fail(new SgError('disconnected', this.description, 'SG worker exited unexpectedly'));
  }
}

/** How long a worker that timed out while starting may hold the process open. */
const STARTING_WORKER_HOLD_MS = 60_000;

/**
 * End a worker that did not open. One that timed out may still be loading
 * koffi: terminating a thread in the middle of a native addon's load aborts
 * the whole process (seen under TCG, where the load took over 10 s), and so
 * does a process exit that tears the thread down, so it is terminated only
 * once it has said anything or ended by itself, and it keeps the process
 * alive meanwhile (a caller that gives up and exits waits for it), but not
 * past STARTING_WORKER_HOLD_MS: a worker stuck in open(2) must not hold the
 * process for ever.
 */
function retire(worker: Worker, stillStarting: boolean): void {
  const stop = (): void => void worker.terminate().catch(() => undefined);
  if (!stillStarting) return stop();
  setTimeout(() => worker.unref(), STARTING_WORKER_HOLD_MS).unref();
  worker.once('message', stop);
  worker.once('error', stop);
}

function nodeExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (err) {
    // Anything but absence (EACCES on a parent, say) is left for open(2) to name.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** Open an SG device: start its worker, which opens the fd O_RDWR|O_NONBLOCK. */
export async function openSgDevice(opts: SgDeviceOptions = {}): Promise<SgDevice> {
  const path = opts.path ?? paths.scsiGeneric;
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new SgError('invalid-argument', String(path), 'SG device path must be absolute');
  }
  const graceMs = checkMs('graceMs', opts.graceMs ?? 2000, path);
  const openTimeoutMs = checkMs('openTimeoutMs', opts.openTimeoutMs ?? 10_000, path);
  const closeTimeoutMs = checkMs('closeTimeoutMs', opts.closeTimeoutMs ?? 2000, path);
  // An absent node fails here, as open(2) in the worker would, without a
  // thread: a worker costs some 10 ms of CPU to start, and the disk path
  // asks for the node once per heartbeat interval while the HBA is gone (at
  // a 50 ms interval that was half a core). Only the real worker opens the
  // real path; a sim worker (workerUrl) names nodes that exist only in it.
  if (opts.workerUrl === undefined && !nodeExists(path))
    throw errnoError(path, 'open', constants.errno.ENOENT);
  const port = opts.workerPort;
  const realtime = realtimeForWorkers();
  const data: SgWorkerData = port === undefined ? { path, realtime } : { path, port, realtime };
  const worker = new Worker(opts.workerUrl ?? DEFAULT_WORKER, {
    workerData: data,
    transferList: port === undefined ? [] : [port],
  });
  const outcome = await new Promise<FromWorker | Error>((resolve) => {
    const timer = setTimeout(
      () => resolve(new SgError('timeout', path, `open took over ${openTimeoutMs} ms`)),
      openTimeoutMs,
    );
    const done = (v: FromWorker | Error): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      resolve(v);
    };
    const onMessage = (m: unknown): void => {
      done(isFromWorker(m) ? m : new SgError('protocol', path, 'malformed first message from the SG worker'));
    };
    const onError = (err: Error): void =>
      done(new SgError('io', path, `SG worker failed to start: ${err.message}`, {}, { cause: err }));
    const onExit = (): void => done(new SgError('io', path, 'SG worker exited during open'));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
  if (outcome instanceof Error || outcome.type !== 'ready') {
    retire(worker, outcome instanceof SgError && outcome.code === 'timeout');
    if (outcome instanceof Error) throw outcome;
    if (outcome.type === 'open-failed') {
      if (outcome.errno !== undefined) throw errnoError(path, 'open', outcome.errno);
      throw new SgError('io', path, `open failed: ${outcome.message}`);
    }
    throw new SgError('protocol', path, `SG worker said ${outcome.type} instead of ready`);
  }
  return new SgDevice(worker, path, graceMs, closeTimeoutMs);
}
