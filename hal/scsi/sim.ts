// An in-memory SCSI target with one LUN and SPC-4 persistent reservations,
// for unit tests and the deterministic simulation. quirks: 'tgt' reproduces
// the deviations measured on Debian tgt (REFERENCE section 3). Fault hooks
// (offline, latency, fail-next, medium errors, stall) let fencing code be
// tested against the failures it must survive.
import type { Clock } from '../clock/clock.ts';
import { SystemClock } from '../clock/system.ts';
import { HalError, asError } from '../errors.ts';
import { Asc } from './asc.ts';
import { FieldReader, putU32, putU64 } from './field-reader.ts';
import { Opcode, READ_CAPACITY_16_SA } from './cdb/opcodes.ts';
import { parsePrOutParameters } from './cdb/pr-out.ts';
import { PR_OUT_PARAMETER_LENGTH, PrInAction } from './cdb/pr-types.ts';
import type { ScsiCommand, ScsiDevice, ScsiResult } from './device.ts';
import { ScsiStatus } from './device.ts';
import { SenseKey, type SenseFormat } from './sense-data.ts';
import { encodeSense } from './sense.ts';
import { simInquiry } from './sim-inquiry.ts';
import type { SimQuirks, SimReply } from './sim-pr.ts';
import { CONFLICT, GOOD, SimPrState, checkCondition, illegal } from './sim-pr.ts';

export type { SimQuirks } from './sim-pr.ts';

export const SIM_BLOCK_SIZE = 512;

export interface SimScsiTargetOptions {
  /** Number of 512-byte sectors (default 2048 = 1 MiB). */
  readonly blocks?: number;
  readonly quirks?: SimQuirks;
  /** Drives latency and command timeouts (default: the system clock). */
  readonly clock?: Clock;
  readonly serial?: string;
  readonly senseFormat?: SenseFormat;
}

interface AscPair {
  readonly asc: number;
  readonly ascq: number;
}

const CDB_LENGTH: Readonly<Record<number, number>> = {
  [Opcode.TEST_UNIT_READY]: 6,
  [Opcode.INQUIRY]: 6,
  [Opcode.SYNCHRONIZE_CACHE_10]: 10,
  [Opcode.PERSISTENT_RESERVE_IN]: 10,
  [Opcode.PERSISTENT_RESERVE_OUT]: 10,
  [Opcode.READ_16]: 16,
  [Opcode.WRITE_16]: 16,
  [Opcode.SYNCHRONIZE_CACHE_16]: 16,
  [Opcode.SERVICE_ACTION_IN_16]: 16,
};

export class SimScsiTarget {
  readonly blocks: number;
  readonly quirks: SimQuirks;
  readonly serial: string;
  readonly pr: SimPrState;
  private readonly clock: Clock;
  private readonly senseFormat: SenseFormat;
  private readonly storage: Uint8Array;
  private readonly attentions = new Map<string, AscPair[]>();
  private sessions = 0;
  private offline = false;
  /** Initiators whose own path to the target is cut (one controller's SAS cable). */
  private readonly cutPaths = new Set<string>();
  private latencyMs = 0;
  private failures = 0;
  private stalled = false;
  private stallQueue: (() => void)[] = [];
  private mediumErrors: { first: bigint; end: bigint }[] = [];

  constructor(opts: SimScsiTargetOptions = {}) {
    const blocks = opts.blocks ?? 2048;
    if (!Number.isSafeInteger(blocks) || blocks < 1 || blocks * SIM_BLOCK_SIZE > 2 ** 31) {
      throw new HalError('invalid-argument', 'sim-scsi', `blocks must be 1..${2 ** 22}, got ${blocks}`);
    }
    this.blocks = blocks;
    this.quirks = opts.quirks ?? 'spc4';
    this.serial = opts.serial ?? 'SIM0001';
    this.clock = opts.clock ?? new SystemClock();
    this.senseFormat = opts.senseFormat ?? 'fixed';
    this.storage = new Uint8Array(blocks * SIM_BLOCK_SIZE);
    this.pr = new SimPrState(this.quirks, (nexus, code) => this.queueUnitAttention(nexus, code));
  }

  /**
   * Open a session. Under SPC-4 the I_T nexus is the initiator name, so a
   * reconnect keeps its registration; under tgt it is the session, so a
   * reconnect orphans it, and the session starts with UA 29/00.
   */
  connect(initiatorName: string): SimScsiDevice {
    this.sessions++;
    const nexus = this.quirks === 'tgt' ? `${initiatorName}#${this.sessions}` : initiatorName;
    if (this.quirks === 'tgt') this.queueUnitAttention(nexus, Asc.POWER_ON_RESET);
    return new SimScsiDevice(this, nexus, initiatorName, `sim://${this.serial}/${initiatorName}`);
  }

  queueUnitAttention(nexus: string, code: AscPair): void {
    const q = this.attentions.get(nexus) ?? [];
    q.push(code);
    this.attentions.set(nexus, q);
  }

  /** Bytes of the medium, for assertions. */
  peek(lba: number, blocks = 1): Uint8Array {
    return this.storage.slice(lba * SIM_BLOCK_SIZE, (lba + blocks) * SIM_BLOCK_SIZE);
  }

  // --- fault hooks ---------------------------------------------------------

  /**
   * While offline every command rejects with HalError 'disconnected'; with an
   * initiator name, only that initiator's path is cut (its SAS cable), and
   * the other controller still reaches the target.
   */
  setOffline(offline: boolean, initiatorName?: string): void {
    if (initiatorName === undefined) this.offline = offline;
    else if (offline) this.cutPaths.add(initiatorName);
    else this.cutPaths.delete(initiatorName);
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  /** The next `n` commands reject with HalError 'injected-fault'. */
  failNext(n: number): void {
    this.failures = Math.max(0, Math.floor(n));
  }

  /** READ/WRITE touching [lba, lba + count) get MEDIUM ERROR. */
  addMediumError(lba: bigint, count: bigint): void {
    this.mediumErrors.push({ first: lba, end: lba + count });
  }

  clearMediumErrors(): void {
    this.mediumErrors = [];
  }

  /** Hold every command until releaseStall(); the device times them out meanwhile. */
  stall(): void {
    this.stalled = true;
  }

  releaseStall(): void {
    this.stalled = false;
    const queued = this.stallQueue;
    this.stallQueue = [];
    for (const run of queued) run();
  }

  // --- command path --------------------------------------------------------

  /** Called by SimScsiDevice: applies faults and timing, then answers. */
  submit(nexus: string, initiator: string, description: string, cmd: ScsiCommand): Promise<ScsiResult> {
    return new Promise((resolve, reject) => {
      let done = false;
      const timer = this.clock.after(cmd.timeoutMs, () => {
        if (done) return;
        done = true;
        reject(
          new HalError(
            'timeout',
            description,
            `command 0x${hex(cmd.cdb[0])} timed out after ${cmd.timeoutMs} ms`,
          ),
        );
      });
      const finish = (fn: () => void): void => {
        if (done) return;
        done = true;
        timer.cancel();
        fn();
      };
      const answer = (): void => {
        // A command that already timed out is aborted, never executed late.
        if (done) return;
        if (this.offline || this.cutPaths.has(initiator)) {
          finish(() => reject(new HalError('disconnected', description, 'target is offline')));
          return;
        }
        try {
          const result = this.execute(nexus, cmd);
          finish(() => resolve(result));
        } catch (err) {
          finish(() => reject(asError(err)));
        }
      };
      if (this.failures > 0) {
        this.failures--;
        finish(() => reject(new HalError('injected-fault', description, 'injected command failure')));
        return;
      }
      const go = (): void => {
        if (this.stalled) this.stallQueue.push(answer);
        else answer();
      };
      if (this.latencyMs > 0) this.clock.after(this.latencyMs, go);
      else go();
    });
  }

  private execute(nexus: string, cmd: ScsiCommand): ScsiResult {
    const reply = this.dispatch(nexus, cmd);
    const want = cmd.direction === 'in' ? (cmd.dataInLength ?? 0) : 0;
    const data = (reply.data ?? new Uint8Array(0)).slice(0, want);
    const sense =
      reply.sense === undefined
        ? new Uint8Array(0)
        : encodeSense({ ...reply.sense, format: this.senseFormat });
    return { status: reply.status, sense, data, residual: want - data.length };
  }

  private dispatch(nexus: string, cmd: ScsiCommand): SimReply {
    const cdb = cmd.cdb;
    const op = cdb[0] ?? -1;
    const needed = CDB_LENGTH[op];
    // INQUIRY neither reports nor clears a unit attention (SPC-4 5.14).
    if (op !== Opcode.INQUIRY) {
      const ua = this.attentions.get(nexus)?.shift();
      if (ua !== undefined) return checkCondition(SenseKey.UNIT_ATTENTION, ua);
    }
    if (needed === undefined) return illegal(Asc.INVALID_COMMAND_OPERATION_CODE);
    if (cdb.length < needed) return illegal();
    const r = new FieldReader('CDB', cdb);
    switch (op) {
      case Opcode.TEST_UNIT_READY:
        return GOOD;
      case Opcode.INQUIRY:
        return this.withAllocation(cmd, r.u16(3, 'allocation length'), () =>
          simInquiry(cdb, this.serial, this.quirks),
        );
      case Opcode.SERVICE_ACTION_IN_16:
        if ((r.u8(1, 'service action') & 0x1f) !== READ_CAPACITY_16_SA) return illegal();
        return this.withAllocation(cmd, r.u32(10, 'allocation length'), () => this.readCapacity());
      case Opcode.READ_16:
      case Opcode.WRITE_16:
        return this.readWrite(nexus, cmd, op === Opcode.WRITE_16, r.u64(2, 'lba'), r.u32(10, 'length'));
      case Opcode.SYNCHRONIZE_CACHE_10:
      case Opcode.SYNCHRONIZE_CACHE_16:
        return this.pr.accessAllowed(nexus, true) ? GOOD : CONFLICT;
      case Opcode.PERSISTENT_RESERVE_IN:
        return this.withAllocation(cmd, r.u16(7, 'allocation length'), () => this.prIn(r.u8(1, 'sa') & 0x1f));
      case Opcode.PERSISTENT_RESERVE_OUT:
        return this.prOut(nexus, cmd, r);
      default:
        return illegal(Asc.INVALID_COMMAND_OPERATION_CODE);
    }
  }

  /** tgt measured: an expected transfer length below the CDB allocation length is refused. */
  private withAllocation(cmd: ScsiCommand, allocation: number, answer: () => SimReply): SimReply {
    if (this.quirks === 'tgt' && (cmd.dataInLength ?? 0) < allocation) return illegal();
    const reply = answer();
    return reply.data === undefined ? reply : { ...reply, data: reply.data.subarray(0, allocation) };
  }

  private readCapacity(): SimReply {
    const data = new Uint8Array(32);
    putU64(data, 0, BigInt(this.blocks - 1));
    putU32(data, 8, SIM_BLOCK_SIZE);
    return { status: ScsiStatus.GOOD, data };
  }

  private readWrite(nexus: string, cmd: ScsiCommand, write: boolean, lba: bigint, blocks: number): SimReply {
    if (lba + BigInt(blocks) > BigInt(this.blocks)) return illegal(Asc.LBA_OUT_OF_RANGE);
    const bytes = blocks * SIM_BLOCK_SIZE;
    if (write && cmd.dataOut?.length !== bytes) {
      throw new HalError(
        'protocol',
        'sim-scsi',
        `WRITE(16) of ${blocks} blocks carried ${cmd.dataOut?.length ?? 0} bytes`,
      );
    }
    if (!this.pr.accessAllowed(nexus, write)) return CONFLICT;
    const bad = this.mediumErrors.find((m) => m.first < lba + BigInt(blocks) && lba < m.end);
    if (bad !== undefined) {
      const at = bad.first > lba ? bad.first : lba;
      return checkCondition(SenseKey.MEDIUM_ERROR, write ? Asc.WRITE_ERROR : Asc.UNRECOVERED_READ_ERROR, at);
    }
    const offset = Number(lba) * SIM_BLOCK_SIZE;
    if (write && cmd.dataOut !== undefined) {
      this.storage.set(cmd.dataOut, offset);
      return GOOD;
    }
    return { status: ScsiStatus.GOOD, data: this.storage.slice(offset, offset + bytes) };
  }

  private prIn(action: number): SimReply {
    switch (action) {
      case PrInAction.READ_KEYS:
        return { status: ScsiStatus.GOOD, data: this.pr.readKeys() };
      case PrInAction.READ_RESERVATION:
        return { status: ScsiStatus.GOOD, data: this.pr.readReservation() };
      case PrInAction.REPORT_CAPABILITIES:
        return { status: ScsiStatus.GOOD, data: this.pr.reportCapabilities() };
      default:
        return illegal(); // READ FULL STATUS: tgt lacks it, and so does the sim
    }
  }

  private prOut(nexus: string, cmd: ScsiCommand, r: FieldReader): SimReply {
    const length = r.u32(5, 'parameter list length');
    if (length !== PR_OUT_PARAMETER_LENGTH || cmd.dataOut?.length !== length) {
      return illegal(Asc.PARAMETER_LIST_LENGTH_ERROR);
    }
    const params = parsePrOutParameters(cmd.dataOut);
    const scopeType = r.u8(2, 'scope/type');
    return this.pr.out(nexus, r.u8(1, 'service action') & 0x1f, scopeType >> 4, scopeType & 0x0f, params);
  }
}

export class SimScsiDevice implements ScsiDevice {
  readonly description: string;
  /** The I_T nexus this session acts as. */
  readonly nexus: string;
  readonly initiator: string;
  private readonly target: SimScsiTarget;
  private closed = false;

  constructor(target: SimScsiTarget, nexus: string, initiator: string, description: string) {
    this.target = target;
    this.nexus = nexus;
    this.initiator = initiator;
    this.description = description;
  }

  execute(cmd: ScsiCommand): Promise<ScsiResult> {
    if (this.closed) return Promise.reject(new HalError('closed', this.description, 'session closed'));
    if (!(cmd.timeoutMs > 0) || !Number.isFinite(cmd.timeoutMs)) {
      return Promise.reject(new HalError('invalid-argument', this.description, `timeoutMs ${cmd.timeoutMs}`));
    }
    if (!(cmd.cdb instanceof Uint8Array) || cmd.cdb.length < 6 || cmd.cdb.length > 32) {
      return Promise.reject(new HalError('invalid-argument', this.description, 'CDB must be 6..32 bytes'));
    }
    return this.target.submit(this.nexus, this.initiator, this.description, cmd);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

function hex(n: number | undefined): string {
  return (n ?? 0).toString(16).padStart(2, '0');
}
