// The iSCSI transport as a ScsiDevice: owns the current connection, and when
// it is lost, logs in again (same ISID, TSIH 0) with exponential backoff.
// Commands issued while there is no connection fail at once with
// 'disconnected' rather than wait: the firmware decides what to retry.
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../clock/clock.ts';
import { SystemClock } from '../../clock/system.ts';
import { HalError } from '../../errors.ts';
import type { ScsiCommand, ScsiDevice, ScsiResult } from '../device.ts';
import { validateIscsiConfig, type IscsiConfig } from './config.ts';
import { IscsiConnection } from './connection.ts';
import { IscsiDisconnectedError } from './errors.ts';
import type { NegotiatedParameters } from './login.ts';

export interface IscsiEvents {
  /** First successful login. */
  connected: [info: { readonly negotiated: NegotiatedParameters }];
  /** The connection was lost; reconnecting starts if enabled. */
  disconnected: [info: { readonly error: HalError }];
  /** Logged in again after a loss: a new I_T nexus, so re-register reservation keys. */
  reconnected: [info: { readonly negotiated: NegotiatedParameters; readonly attempts: number }];
}

export type IscsiInitiatorState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface IscsiInitiatorOptions {
  readonly clock?: Clock;
  /** 6-byte ISID; random-format (type 10b) by default, kept for every reconnect. */
  readonly isid?: Uint8Array;
  /** [0, 1) source for backoff jitter; injectable for tests. */
  readonly random?: () => number;
}

/**
 * The same ISID for the same initiator name, every process start. The SCSI
 * initiator port is the name plus the ISID (RFC 7143 §4.4.3, the ISID rule),
 * and targets keep reservations per port: a controller that restarts with a
 * new ISID is a new port, and LIO then counts registrations per name, not
 * per port, so the restarted controller's own registration and writes get
 * confused with the old port's (measured in the kernel tier). A stable ISID
 * also makes the target reinstate (close) a session a killed process left.
 * Random format (T = 10b) with a qualifier derived from the name.
 */
export function isidFor(initiatorName: string): Buffer {
  const isid = createHash('sha256').update(initiatorName, 'utf8').digest().subarray(0, 6);
  isid[0] = 0x80 | (isid[0]! & 0x3f);
  return Buffer.from(isid);
}

export function randomIsid(): Buffer {
  const isid = randomBytes(6);
  isid[0] = 0x80 | (isid[0]! & 0x3f); // T = 10b: random format (RFC 7143 §11.12.5)
  return isid;
}

export class IscsiInitiator extends EventEmitter<IscsiEvents> implements ScsiDevice {
  readonly description: string;
  readonly config: IscsiConfig;
  private readonly clock: Clock;
  private readonly isid: Uint8Array;
  private readonly random: () => number;
  private conn: IscsiConnection | undefined;
  private stateValue: IscsiInitiatorState = 'idle';
  private retryTimer: TimerHandle | undefined;
  private attempts = 0;

  constructor(config: unknown, options: IscsiInitiatorOptions = {}) {
    super();
    this.config = validateIscsiConfig(config);
    this.clock = options.clock ?? new SystemClock();
    this.isid = options.isid ?? randomIsid();
    if (this.isid.length !== 6) throw new HalError('invalid-argument', 'iscsi', 'isid must be 6 bytes');
    this.random = options.random ?? Math.random;
    const { host, port } = this.config.portal;
    this.description = `iscsi://${host.includes(':') ? `[${host}]` : host}:${port}/${this.config.targetIqn}/${this.config.lun}`;
  }

  get state(): IscsiInitiatorState {
    return this.stateValue;
  }

  /** Parameters of the current login, if connected. */
  get negotiated(): NegotiatedParameters | undefined {
    return this.conn?.alive === true ? this.conn.negotiated : undefined;
  }

  /** First login. Rejects with a typed error; call again to retry. */
  async connect(): Promise<void> {
    if (this.stateValue !== 'idle') {
      throw new HalError('busy', this.description, `connect() in state ${this.stateValue}`);
    }
    this.stateValue = 'connecting';
    try {
      this.conn = await this.openConnection();
    } catch (err) {
      this.stateValue = 'idle';
      throw err;
    }
    this.stateValue = 'connected';
    this.emit('connected', { negotiated: this.conn.negotiated });
  }

  execute(cmd: ScsiCommand): Promise<ScsiResult> {
    const conn = this.conn;
    if (conn === undefined || !conn.alive) {
      const why = this.stateValue === 'closed' ? 'closed' : `not connected (${this.stateValue})`;
      const code = this.stateValue === 'closed' ? 'closed' : 'disconnected';
      return Promise.reject(
        code === 'closed'
          ? new HalError('closed', this.description, why)
          : new IscsiDisconnectedError(this.description, why),
      );
    }
    return conn.execute(cmd);
  }

  async close(): Promise<void> {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    const conn = this.conn;
    this.conn = undefined;
    if (conn !== undefined) await conn.close();
  }

  private openConnection(): Promise<IscsiConnection> {
    return IscsiConnection.open({
      config: this.config,
      isid: this.isid,
      clock: this.clock,
      device: this.description,
      onLost: (error) => this.onLost(error),
    });
  }

  private onLost(error: HalError): void {
    if (this.stateValue === 'closed') return;
    this.conn = undefined;
    this.emit('disconnected', { error });
    if (!this.config.reconnect.enabled) {
      this.stateValue = 'idle';
      return;
    }
    this.stateValue = 'reconnecting';
    this.attempts = 0;
    this.scheduleRetry();
  }

  /** Delay before attempt n (0-based): initial * 2^n capped at max, then ±jitter. */
  backoffDelay(attempt: number): number {
    const { initialDelayMs, maxDelayMs, jitter } = this.config.reconnect;
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt, 30));
    return Math.max(0, Math.round(base * (1 + jitter * (2 * this.random() - 1))));
  }

  private scheduleRetry(): void {
    const delay = this.backoffDelay(this.attempts);
    this.retryTimer = this.clock.after(delay, () => {
      this.retryTimer = undefined;
      this.attempts++;
      this.openConnection().then(
        (conn) => {
          if (this.stateValue !== 'reconnecting') {
            void conn.close();
            return;
          }
          this.conn = conn;
          this.stateValue = 'connected';
          this.emit('reconnected', { negotiated: conn.negotiated, attempts: this.attempts });
        },
        () => {
          if (this.stateValue === 'reconnecting') this.scheduleRetry();
        },
      );
    });
  }
}
