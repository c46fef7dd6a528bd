// One controller's HBA port to a SimScsiTarget, seen through /dev/sgN: the
// main-thread end of the sim kernel's line (sim-line.ts). It answers open()
// for its node and executes each command on the target as one I_T nexus
// (this initiator port's: the nexus of SAS is the port pair, not the fd, so
// every open shares it and a reopen keeps the registration). Fault hooks
// model what an HBA does to us: a device that vanishes (unplug: open fds get
// ENODEV, open gets ENOENT), comes back after a reset (replug: the LUN then
// reports UA 29/00), or fails commands with a DID_* host status.
import { constants } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { HalError } from '../../errors.ts';
import { Asc } from '../asc.ts';
import type { ScsiCommand, ScsiResult } from '../device.ts';
import type { SimScsiDevice, SimScsiTarget } from '../sim.ts';
import { DidStatus, SgDxfer } from './constants.ts';
import type { SimLineRequest, SimLineReply, SimSgAnswer, SimSgCommand } from './sim-wire.ts';

const E = constants.errno;
const SIM_WORKER = new URL('./sim-worker.ts', import.meta.url);
/** How many received commands are kept for inspection. */
const KEEP = 64;

export interface SimSgHostOptions {
  readonly target: SimScsiTarget;
  /** This controller's initiator port (its SAS address, say): the I_T nexus. */
  readonly initiator: string;
  /** The node it appears as; default /dev/sg-sim. */
  readonly path?: string;
}

export interface SimSgReceived {
  readonly fd: number;
  readonly cmd: SimSgCommand;
}

function isRequest(m: unknown): m is SimLineRequest {
  if (typeof m !== 'object' || m === null) return false;
  const op = (m as { op?: unknown }).op;
  return op === 'open' || op === 'command' || op === 'close' || op === 'violation';
}

function hostStatusOf(err: unknown): number {
  if (!(err instanceof HalError)) return DidStatus.ERROR;
  if (err.code === 'disconnected') return DidStatus.NO_CONNECT;
  if (err.code === 'timeout') return DidStatus.TIME_OUT;
  return DidStatus.ERROR;
}

export class SimSgHost {
  readonly path: string;
  /** Headers the sim kernel refused as something our driver must never send. */
  readonly violations: string[] = [];
  /** The last commands as the kernel took them from user memory, oldest first. */
  readonly received: SimSgReceived[] = [];
  private readonly target: SimScsiTarget;
  private readonly session: SimScsiDevice;
  private readonly ports = new Set<MessagePort>();
  private readonly fds = new Set<number>();
  private nextFd = 3;
  private present = true;
  private hostFaults: number[] = [];

  constructor(opts: SimSgHostOptions) {
    this.target = opts.target;
    this.path = opts.path ?? '/dev/sg-sim';
    this.session = opts.target.connect(opts.initiator);
  }

  /** Options for openSgDevice(): the sim worker and a fresh line to this host (one per open). */
  deviceOptions(): { path: string; workerUrl: URL; workerPort: MessagePort } {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (m: unknown) => this.onRequest(port1, m));
    port1.unref(); // the worker keeps the process alive while it is open, not the line
    this.ports.add(port1);
    return { path: this.path, workerUrl: SIM_WORKER, workerPort: port2 };
  }

  /** Number of file descriptors open on the node. */
  get openCount(): number {
    return this.fds.size;
  }

  // --- fault hooks ---------------------------------------------------------

  /** The device is gone (cable pulled, HBA reset in progress): ENODEV on open fds, ENOENT on open. */
  unplug(): void {
    this.present = false;
    this.fds.clear();
  }

  /** The device is back after a reset: the LUN reports it (UA 29/00) on the next command. */
  replug(): void {
    this.present = true;
    this.target.queueUnitAttention(this.session.nexus, Asc.POWER_ON_RESET);
  }

  /** The next `n` commands fail in the HBA with `hostStatus` (a DID_* value). */
  failNext(n: number, hostStatus: number = DidStatus.NO_CONNECT): void {
    this.hostFaults = Array.from({ length: Math.max(0, Math.floor(n)) }, () => hostStatus);
  }

  close(): void {
    for (const p of this.ports) p.close();
    this.ports.clear();
    this.fds.clear();
  }

  // --- the line ------------------------------------------------------------

  private onRequest(port: MessagePort, m: unknown): void {
    if (!isRequest(m)) {
      this.violations.push('malformed message on the sim line');
      return;
    }
    switch (m.op) {
      case 'open':
        this.reply(port, m.seq, m.flag, this.open(m.path));
        return;
      case 'command':
        void this.command(m.fd, m.cmd).then((answer) => this.reply(port, m.seq, m.flag, answer));
        return;
      case 'close':
        this.fds.delete(m.fd);
        return;
      case 'violation':
        this.violations.push(m.problem);
        return;
    }
  }

  private reply(port: MessagePort, seq: number, flag: Int32Array, answer: SimLineReply['answer']): void {
    if (!this.ports.has(port)) return;
    port.postMessage({ seq, answer } satisfies SimLineReply);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  }

  private open(path: string): SimLineReply['answer'] {
    if (path !== this.path || !this.present) return { kind: 'errno', errno: E.ENOENT };
    const fd = this.nextFd++;
    this.fds.add(fd);
    return { kind: 'fd', fd };
  }

  private async command(fd: number, cmd: SimSgCommand): Promise<SimSgAnswer> {
    if (!this.fds.has(fd)) return { kind: 'errno', errno: E.ENODEV };
    this.received.push({ fd, cmd });
    if (this.received.length > KEEP) this.received.shift();
    const none = new Uint8Array(0);
    const fault = this.hostFaults.shift();
    if (fault !== undefined) return { kind: 'done', status: 0, sense: none, data: none, hostStatus: fault };
    let result: ScsiResult;
    try {
      result = await this.session.execute(toScsiCommand(cmd));
    } catch (err) {
      return { kind: 'done', status: 0, sense: none, data: none, hostStatus: hostStatusOf(err) };
    }
    return {
      kind: 'done',
      status: result.status,
      sense: result.sense,
      data: result.data,
      hostStatus: DidStatus.OK,
    };
  }
}

function toScsiCommand(cmd: SimSgCommand): ScsiCommand {
  const base = { cdb: cmd.cdb, timeoutMs: cmd.timeoutMs };
  switch (cmd.direction) {
    case SgDxfer.TO_DEV:
      return { ...base, direction: 'out', dataOut: cmd.dataOut };
    case SgDxfer.FROM_DEV:
      return { ...base, direction: 'in', dataInLength: cmd.dxferLen };
    case SgDxfer.NONE:
      return { ...base, direction: 'none' };
  }
}
