// One logged-in iSCSI connection (one session, one connection, ERL 0):
// TCP + framer + login, then the full feature phase: CmdSN window, ITTs,
// Data-In assembly, R2T -> Data-Out, NOP-In answers, Logout. Any protocol
// violation or timeout tears the whole connection down; recovery is a new
// login, done by the initiator above this.
import { connect, type Socket } from 'node:net';
import type { Clock, TimerHandle } from '../../clock/clock.ts';
import { HalError, asError } from '../../errors.ts';
import type { ScsiCommand, ScsiResult } from '../device.ts';
import type { IscsiConfig } from './config.ts';
import {
  decodeTargetPdu,
  type DataIn,
  type LoginResponse,
  type R2T,
  type ScsiResponse,
  type TargetPdu,
} from './decode.ts';
import {
  encodeDataOut,
  encodeLoginRequest,
  encodeLogoutRequest,
  encodeNopOut,
  encodeScsiCommand,
  type LoginStage,
} from './encode.ts';
import { IscsiDisconnectedError, IscsiProtocolError, IscsiTimeoutError } from './errors.ts';
import { PduFramer } from './framer.ts';
import { OUR_MAX_RECV_DATA_SEGMENT_LENGTH, performLogin, type NegotiatedParameters } from './login.ts';
import { RESERVED_TAG, serialGreater } from './pdu.ts';
import { Task } from './task.ts';
import { validateCommand } from './validate-command.ts';

export interface ConnectionOptions {
  readonly config: IscsiConfig;
  readonly isid: Uint8Array;
  readonly clock: Clock;
  readonly device: string;
  /** Called once when the connection dies for any reason other than close(). */
  readonly onLost: (err: HalError) => void;
}

type Phase = 'login' | 'full-feature' | 'logout' | 'dead';

/** Size of the one receive buffer each connection reads into (socket onread). */
const RECEIVE_BUFFER_BYTES = 64 * 1024;
const EMPTY = Buffer.alloc(0);
const MAX_TIMER_MS = 0x7fffffff;

/** Where the socket's reads go: set once the connection object exists; bytes before that are kept. */
interface ReceiveSink {
  deliver: ((chunk: Buffer) => void) | undefined;
  early: Buffer[];
}

export class IscsiConnection {
  private readonly opts: ConnectionOptions;
  private readonly device: string;
  private readonly socket: Socket;
  private readonly framer: PduFramer;
  private phase: Phase = 'login';
  private deathError: HalError | undefined;
  private params: NegotiatedParameters | undefined;
  private cmdSN = 1;
  private expCmdSN = 1;
  private maxCmdSN = 1;
  private expStatSN = 0;
  private nextItt = 1;
  private readonly tasks = new Map<number, Task>();
  /** Commands waiting for the target to open the CmdSN window. */
  private readonly queued: Task[] = [];
  /**
   * One timer for every command deadline rather than one per command: it is
   * armed for the earliest deadline and left running when commands complete
   * (so queue-depth-1 traffic creates a timer about once per timeout period,
   * not per command); when it fires it times out whatever is due and re-arms
   * for the next deadline, so each command still times out at its own.
   */
  private deadlineTimer: TimerHandle | undefined;
  /** When deadlineTimer fires (monotonic ms); Infinity when none is armed. */
  private deadlineAt = Infinity;
  /** Where the login phase waits for its responses, and the logout for its. */
  private waiter: { resolve: (p: TargetPdu) => void; reject: (e: HalError) => void } | undefined;

  private constructor(opts: ConnectionOptions, socket: Socket, sink: ReceiveSink) {
    this.opts = opts;
    this.device = opts.device;
    this.socket = socket;
    this.framer = new PduFramer({
      device: opts.device,
      maxDataSegmentLength: OUR_MAX_RECV_DATA_SEGMENT_LENGTH,
    });
    // Reads arrive through the socket's onread callback (no 'data' events):
    // one reused buffer, no stream machinery per read. The framer copies out
    // what it keeps, since the buffer is overwritten by the next read.
    sink.deliver = (chunk) => this.onData(chunk, true);
    for (const chunk of sink.early.splice(0)) this.onData(chunk, false);
    socket.on('end', () => {
      try {
        this.framer.end();
        this.die(new IscsiDisconnectedError(this.device, 'target closed the connection'));
      } catch (err) {
        this.die(err as HalError);
      }
    });
    socket.on('error', (err) =>
      this.die(new IscsiDisconnectedError(this.device, `socket error: ${err.message}`, { cause: err })),
    );
    socket.on('close', () => this.die(new IscsiDisconnectedError(this.device, 'connection closed')));
  }

  /** TCP connect and log in; rejects with a typed error, never leaves a socket behind. */
  static async open(opts: ConnectionOptions): Promise<IscsiConnection> {
    const { config, clock, device } = opts;
    const sink: ReceiveSink = { deliver: undefined, early: [] };
    const socket = await tcpConnect(config, clock, device, sink);
    const conn = new IscsiConnection(opts, socket, sink);
    const loginTimer = clock.after(config.timeouts.loginMs, () =>
      conn.die(new IscsiTimeoutError(device, `login did not complete within ${config.timeouts.loginMs} ms`)),
    );
    try {
      conn.params = await performLogin(
        config,
        { round: (t, c, n, text) => conn.loginRound(t, c, n, text) },
        device,
      );
    } catch (err) {
      conn.die(err instanceof HalError ? err : new IscsiProtocolError(device, String(err)));
      throw err;
    } finally {
      loginTimer.cancel();
    }
    conn.phase = 'full-feature';
    return conn;
  }

  get negotiated(): NegotiatedParameters {
    if (this.params === undefined) throw new HalError('not-open', this.device, 'not logged in');
    return this.params;
  }

  get alive(): boolean {
    return this.phase === 'full-feature';
  }

  execute(cmd: ScsiCommand): Promise<ScsiResult> {
    try {
      validateCommand(cmd, this.device);
    } catch (err) {
      return Promise.reject(asError(err));
    }
    if (this.phase !== 'full-feature') {
      return Promise.reject(this.deathError ?? new IscsiDisconnectedError(this.device, 'not connected'));
    }
    return new Promise<ScsiResult>((resolve, reject) => {
      const deadline = this.opts.clock.monotonicMs() + cmd.timeoutMs;
      const task = new Task(this.allocateItt(), cmd, deadline, resolve, reject);
      if (deadline < this.deadlineAt) this.armDeadline(deadline);
      this.tasks.set(task.itt, task);
      if (this.windowOpen()) this.sendCommand(task);
      else this.queued.push(task);
    });
  }

  /** Log out (bounded by timeouts.logoutMs) and close; outstanding commands fail with 'closed'. */
  async close(): Promise<void> {
    if (this.phase !== 'full-feature') {
      this.die(new HalError('closed', this.device, 'closed'));
      return;
    }
    this.phase = 'logout';
    this.failAll(new HalError('closed', this.device, 'closed while the command was outstanding'));
    const timer = this.opts.clock.after(this.opts.config.timeouts.logoutMs, () =>
      this.die(new IscsiTimeoutError(this.device, 'logout timed out')),
    );
    try {
      const itt = this.allocateItt();
      const response = this.expect('logout-response');
      this.write(encodeLogoutRequest({ itt, cid: 0, cmdSN: this.cmdSN, expStatSN: this.expStatSN }));
      await response;
    } catch {
      // Logout is a courtesy: the socket is closed below whatever happened.
    } finally {
      timer.cancel();
      this.die(new HalError('closed', this.device, 'closed'));
    }
  }

  /** Tear down at once (no logout): used on timeouts and violations, and by the initiator. */
  destroy(err: HalError): void {
    this.die(err);
  }

  private loginRound(
    transit: boolean,
    csg: LoginStage,
    nsg: LoginStage,
    text: Buffer,
  ): Promise<LoginResponse> {
    const itt = 0; // one login task per connection; ITT stays constant across its rounds.
    const response = this.expect('login-response');
    this.write(
      encodeLoginRequest({
        transit,
        csg,
        nsg,
        isid: this.opts.isid,
        tsih: 0,
        itt,
        cid: 0,
        cmdSN: this.cmdSN,
        expStatSN: this.expStatSN,
        text,
      }),
    );
    return response.then((r) => {
      if (r.itt !== itt)
        throw new IscsiProtocolError(this.device, `Login Response ITT ${r.itt}, expected ${itt}`);
      if (r.versionActive !== 0)
        throw new IscsiProtocolError(this.device, `unsupported iSCSI version ${r.versionActive}`);
      this.expStatSN = (r.statSN + 1) >>> 0;
      // The final login response opens the CmdSN window for the full feature phase.
      this.expCmdSN = r.expCmdSN;
      this.maxCmdSN = r.maxCmdSN;
      this.cmdSN = r.expCmdSN;
      return r;
    });
  }

  private expect<K extends TargetPdu['kind']>(kind: K): Promise<Extract<TargetPdu, { kind: K }>> {
    if (this.deathError !== undefined) return Promise.reject(this.deathError);
    return new Promise((resolve, reject) => {
      this.waiter = {
        resolve: (p) => {
          if (p.kind !== kind) reject(new IscsiProtocolError(this.device, `expected ${kind}, got ${p.kind}`));
          else resolve(p as Extract<TargetPdu, { kind: K }>);
        },
        reject,
      };
    });
  }

  private allocateItt(): number {
    // Skip 0 (the login ITT) and the reserved tag; skip tags still in use after a wrap.
    do {
      this.nextItt = (this.nextItt + 1) >>> 0;
    } while (this.nextItt === 0 || this.nextItt === RESERVED_TAG || this.tasks.has(this.nextItt));
    return this.nextItt;
  }

  private windowOpen(): boolean {
    return !serialGreater(this.cmdSN, this.maxCmdSN);
  }

  private sendCommand(task: Task): void {
    const { cmd } = task;
    const params = this.negotiated;
    let immediate: Uint8Array | undefined;
    if (cmd.direction === 'out' && cmd.dataOut !== undefined && params.immediateData) {
      const n = Math.min(cmd.dataOut.length, params.firstBurstLength, params.targetMaxRecvDataSegmentLength);
      immediate = cmd.dataOut.subarray(0, n);
    }
    this.write(
      encodeScsiCommand({
        read: cmd.direction === 'in',
        write: cmd.direction === 'out',
        // InitialR2T=Yes: never unsolicited Data-Out, so the command PDU is always final.
        final: true,
        lun: this.opts.config.lun,
        itt: task.itt,
        expectedDataTransferLength: task.expectedLength,
        cmdSN: this.cmdSN,
        expStatSN: this.expStatSN,
        cdb: cmd.cdb,
        immediateData: immediate,
      }),
    );
    this.cmdSN = (this.cmdSN + 1) >>> 0;
  }

  private write(segments: Buffer[]): void {
    if (segments.length === 1) {
      this.socket.write(segments[0]!);
      return;
    }
    // Corked so header, data and padding leave in one writev (one TCP segment when small).
    this.socket.cork();
    for (const s of segments) this.socket.write(s);
    this.socket.uncork();
  }

  private onData(chunk: Buffer, transient: boolean): void {
    if (this.phase === 'dead') return;
    try {
      for (const raw of this.framer.push(chunk, transient)) {
        const pdu = decodeTargetPdu(raw, this.device);
        if (this.phase === 'login' || this.phase === 'logout') this.onWaited(pdu);
        else this.onPdu(pdu);
        if (this.deathError !== undefined) return;
      }
    } catch (err) {
      this.die(
        err instanceof HalError ? err : new IscsiProtocolError(this.device, String(err), { cause: err }),
      );
    }
  }

  private onWaited(pdu: TargetPdu): void {
    if (pdu.kind === 'nop-in' || pdu.kind === 'async-message') {
      this.onPdu(pdu);
      return;
    }
    if (this.phase === 'logout' && pdu.kind !== 'logout-response') {
      // Late responses of commands already failed by close(): nothing waits for them.
      return;
    }
    const w = this.waiter;
    if (w === undefined)
      throw new IscsiProtocolError(this.device, `unsolicited ${pdu.kind} during ${this.phase}`);
    this.waiter = undefined;
    w.resolve(pdu);
  }

  private onPdu(pdu: TargetPdu): void {
    switch (pdu.kind) {
      case 'scsi-response':
        this.advance(pdu, true);
        this.onScsiResponse(pdu);
        break;
      case 'data-in':
        this.advance(pdu, pdu.hasStatus);
        this.onDataIn(pdu);
        break;
      case 'r2t':
        this.advance(pdu, false);
        this.onR2T(pdu);
        break;
      case 'nop-in':
        this.advance(pdu, pdu.itt !== RESERVED_TAG);
        if (pdu.itt !== RESERVED_TAG)
          throw new IscsiProtocolError(this.device, `NOP-In for unknown ITT 0x${pdu.itt.toString(16)}`);
        if (pdu.ttt !== RESERVED_TAG) {
          this.write(
            encodeNopOut({
              itt: RESERVED_TAG,
              ttt: pdu.ttt,
              lunField: pdu.lun,
              cmdSN: this.cmdSN,
              expStatSN: this.expStatSN,
              data: pdu.data,
            }),
          );
        }
        break;
      case 'reject':
        this.advance(pdu, true);
        throw new IscsiProtocolError(
          this.device,
          `target rejected PDU (reason 0x${pdu.reason.toString(16)}, opcode 0x${(pdu.rejectedOpcode ?? 0).toString(16)})`,
        );
      case 'async-message':
        this.advance(pdu, true);
        // 1: logout requested, 2/3: target drops the connection/session, 4: renegotiate.
        // Under ERL 0 all of them mean: start over with a new login.
        if (pdu.asyncEvent >= 1 && pdu.asyncEvent <= 4) {
          throw new IscsiDisconnectedError(this.device, `target async event ${pdu.asyncEvent}: reconnecting`);
        }
        break;
      case 'login-response':
      case 'logout-response':
        throw new IscsiProtocolError(this.device, `unexpected ${pdu.kind} in full feature phase`);
    }
  }

  /** Track StatSN and the CmdSN window from any PDU that carries them. */
  private advance(p: { statSN: number; expCmdSN: number; maxCmdSN: number }, carriesStatus: boolean): void {
    if (carriesStatus && !serialGreater(this.expStatSN, p.statSN)) this.expStatSN = (p.statSN + 1) >>> 0;
    // RFC 7143 §4.2.2.1: ignore window updates with MaxCmdSN < ExpCmdSN - 1.
    if (serialGreater((p.expCmdSN - 1) >>> 0, p.maxCmdSN)) return;
    if (serialGreater(p.expCmdSN, this.expCmdSN)) this.expCmdSN = p.expCmdSN;
    if (serialGreater(p.maxCmdSN, this.maxCmdSN)) this.maxCmdSN = p.maxCmdSN;
    while (this.queued.length > 0 && this.windowOpen()) {
      const next = this.queued.shift()!;
      if (!next.isSettled) this.sendCommand(next);
    }
  }

  private task(itt: number, what: string): Task {
    const t = this.tasks.get(itt);
    if (t === undefined)
      throw new IscsiProtocolError(this.device, `${what} for unknown ITT 0x${itt.toString(16)}`);
    return t;
  }

  private onDataIn(pdu: DataIn): void {
    const t = this.task(pdu.itt, 'Data-In');
    if (t.cmd.direction !== 'in')
      throw new IscsiProtocolError(this.device, `Data-In for a ${t.cmd.direction} command`);
    if (pdu.bufferOffset + pdu.data.length > t.expectedLength) {
      throw new IscsiProtocolError(
        this.device,
        `Data-In offset ${pdu.bufferOffset} + ${pdu.data.length} bytes exceeds expected length ${t.expectedLength}`,
      );
    }
    t.addData(pdu.bufferOffset, pdu.data);
    if (pdu.hasStatus) this.finish(t, pdu.status, EMPTY);
  }

  private onScsiResponse(pdu: ScsiResponse): void {
    const t = this.task(pdu.itt, 'SCSI Response');
    if (pdu.response !== 0) {
      this.tasks.delete(t.itt);
      t.reject(
        new HalError('io', this.device, `target failure (iSCSI response 0x${pdu.response.toString(16)})`),
      );
      return;
    }
    this.finish(t, pdu.status, pdu.sense);
  }

  private finish(t: Task, status: number, sense: Buffer): void {
    this.tasks.delete(t.itt);
    const data = t.cmd.direction === 'in' ? t.data() : EMPTY;
    const residual = t.cmd.direction === 'in' ? t.expectedLength - data.length : 0;
    t.resolve({ status, sense, data, residual });
  }

  private onR2T(pdu: R2T): void {
    const t = this.task(pdu.itt, 'R2T');
    const out = t.cmd.dataOut;
    if (t.cmd.direction !== 'out' || out === undefined) {
      throw new IscsiProtocolError(this.device, `R2T for a ${t.cmd.direction} command`);
    }
    const end = pdu.bufferOffset + pdu.desiredLength;
    if (pdu.desiredLength === 0 || end > out.length) {
      throw new IscsiProtocolError(
        this.device,
        `R2T asks for offset ${pdu.bufferOffset} length ${pdu.desiredLength} of a ${out.length}-byte write`,
      );
    }
    const step = this.negotiated.targetMaxRecvDataSegmentLength;
    let dataSN = 0;
    for (let offset = pdu.bufferOffset; offset < end; offset += step) {
      const len = Math.min(step, end - offset);
      this.write(
        encodeDataOut({
          final: offset + len === end,
          lun: this.opts.config.lun,
          itt: t.itt,
          ttt: pdu.ttt,
          expStatSN: this.expStatSN,
          dataSN: dataSN++,
          bufferOffset: offset,
          data: out.subarray(offset, offset + len),
        }),
      );
    }
  }

  private armDeadline(at: number): void {
    this.deadlineTimer?.cancel();
    this.deadlineAt = at;
    const { clock } = this.opts;
    // Capped at what a Node timer can hold; a later deadline just re-arms when it fires.
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(at - clock.monotonicMs())));
    this.deadlineTimer = clock.after(delay, () => this.onDeadline());
  }

  /** The deadline timer fired: time out the most overdue command, or re-arm for the next deadline. */
  private onDeadline(): void {
    this.deadlineTimer = undefined;
    this.deadlineAt = Infinity;
    if (this.phase === 'dead') return;
    const now = this.opts.clock.monotonicMs();
    let next: Task | undefined;
    for (const t of this.tasks.values()) {
      if (next === undefined || t.deadline < next.deadline) next = t;
    }
    if (next === undefined) return; // idle: no timer until the next command
    if (next.deadline > now) {
      this.armDeadline(next.deadline);
      return;
    }
    // Stall guard: after an event-loop stall of our own, Node runs due timers
    // before it reads sockets, so the answer may be sitting unread in ours.
    // Judge one tick later, after the read; timing out now would end the
    // whole session (ERL 0) for a command the target answered in time.
    const task = next;
    this.deadlineAt = now;
    this.deadlineTimer = this.opts.clock.after(0, () => {
      this.deadlineTimer = undefined;
      this.deadlineAt = Infinity;
      if (this.phase === 'dead') return;
      if (this.tasks.get(task.itt) === task) this.onTimeout(task);
      else this.onDeadline();
    });
  }

  private onTimeout(task: Task): void {
    const err = new IscsiTimeoutError(
      this.device,
      `command 0x${(task.cmd.cdb[0] ?? 0).toString(16)} timed out after ${task.cmd.timeoutMs} ms`,
    );
    this.tasks.delete(task.itt);
    task.reject(err);
    // ERL 0: the target may still act on the command, so the only safe recovery is a new session.
    this.die(
      new IscsiDisconnectedError(this.device, 'connection dropped after a command timeout', { cause: err }),
    );
  }

  private failAll(err: HalError): void {
    for (const t of this.tasks.values()) t.reject(err);
    this.tasks.clear();
    this.queued.length = 0;
  }

  private die(err: HalError): void {
    if (this.phase === 'dead') return;
    const wasLive = this.phase === 'full-feature';
    this.phase = 'dead';
    this.deathError = err;
    this.deadlineTimer?.cancel();
    this.deadlineTimer = undefined;
    this.deadlineAt = Infinity;
    this.socket.destroy();
    this.failAll(err);
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(err);
    if (wasLive && err.code !== 'closed') this.opts.onLost(err);
  }
}

function tcpConnect(config: IscsiConfig, clock: Clock, device: string, sink: ReceiveSink): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: config.portal.host,
      port: config.portal.port,
      noDelay: true,
      onread: {
        buffer: Buffer.allocUnsafe(RECEIVE_BUFFER_BYTES),
        callback: (nread: number, buf: Uint8Array): boolean => {
          const chunk = Buffer.from(buf.buffer, buf.byteOffset, nread);
          if (sink.deliver !== undefined) sink.deliver(chunk);
          else sink.early.push(Buffer.from(chunk)); // a copy: buf is reused by the next read
          return true; // keep reading
        },
      },
    });
    let timer: TimerHandle | undefined = clock.after(config.timeouts.connectMs, () => {
      socket.destroy();
      reject(
        new IscsiTimeoutError(device, `TCP connect did not complete within ${config.timeouts.connectMs} ms`),
      );
    });
    socket.once('connect', () => {
      timer?.cancel();
      timer = undefined;
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (err) => {
      timer?.cancel();
      socket.destroy();
      reject(new IscsiDisconnectedError(device, `TCP connect failed: ${err.message}`, { cause: err }));
    });
  });
}
