// The SCSI device contract: execute one CDB, get back status, sense and data.
// Transports (SG_IO on /dev/sgN, our iSCSI initiator, the sim) implement it;
// CDB builders and sense decoding sit above it and never see the transport.

export type ScsiDirection = 'none' | 'in' | 'out';

/**
 * A command's timeout unless its caller gives one: sbd's I/O timeout, long
 * enough for a busy array, short enough for fencing. Here, in the contract's
 * module, because the config's rules and the failover waits derive from it
 * without loading the command set.
 */
export const SCSI_IO_TIMEOUT_MS = 3000;

export interface ScsiCommand {
  readonly cdb: Uint8Array;
  readonly direction: ScsiDirection;
  /** Bytes to send, for direction 'out'. */
  readonly dataOut?: Uint8Array;
  /** Bytes expected back, for direction 'in' (the allocation length). */
  readonly dataInLength?: number;
  /** Per-command timeout; the transport fails the command with a typed error after it. */
  readonly timeoutMs: number;
}

/** SAM status codes the firmware acts on. */
export const ScsiStatus = {
  GOOD: 0x00,
  CHECK_CONDITION: 0x02,
  CONDITION_MET: 0x04,
  BUSY: 0x08,
  RESERVATION_CONFLICT: 0x18,
  TASK_SET_FULL: 0x28,
  ACA_ACTIVE: 0x30,
  TASK_ABORTED: 0x40,
} as const;

export interface ScsiResult {
  /** SAM status byte as returned by the device. */
  readonly status: number;
  /** Sense data, empty unless status is CHECK CONDITION. */
  readonly sense: Uint8Array;
  /** Data returned for direction 'in' (may be shorter than asked). */
  readonly data: Uint8Array;
  /** Bytes asked for but not transferred. */
  readonly residual: number;
}

export interface ScsiDevice {
  /** Human-readable name for logs: "/dev/sg2" or "iscsi://198.18.3.1/iqn…/1". */
  readonly description: string;
  /**
   * Run one command. Resolves with whatever status the device returned
   * (a RESERVATION CONFLICT is a result, not an exception). Rejects only with
   * a transport-level error: timeout, lost connection, protocol violation.
   */
  execute(cmd: ScsiCommand): Promise<ScsiResult>;
  close(): Promise<void>;
}
