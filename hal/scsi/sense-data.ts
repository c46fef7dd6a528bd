// What sense data says (SPC-4 4.5): the sense keys and the decoded record.
// sense.ts turns bytes into this record and back; errors.ts carries it in a
// ScsiError.

export const SenseKey = {
  NO_SENSE: 0x0,
  RECOVERED_ERROR: 0x1,
  NOT_READY: 0x2,
  MEDIUM_ERROR: 0x3,
  HARDWARE_ERROR: 0x4,
  ILLEGAL_REQUEST: 0x5,
  UNIT_ATTENTION: 0x6,
  DATA_PROTECT: 0x7,
  BLANK_CHECK: 0x8,
  VENDOR_SPECIFIC: 0x9,
  COPY_ABORTED: 0xa,
  ABORTED_COMMAND: 0xb,
  VOLUME_OVERFLOW: 0xd,
  MISCOMPARE: 0xe,
  COMPLETED: 0xf,
} as const;

export type SenseFormat = 'fixed' | 'descriptor';

export interface SenseDescriptor {
  readonly type: number;
  /** The whole descriptor, header included. */
  readonly bytes: Uint8Array;
}

export interface SenseData {
  readonly format: SenseFormat;
  /** False for deferred errors (0x71 / 0x73): they belong to an earlier command. */
  readonly current: boolean;
  readonly senseKey: number;
  readonly asc: number;
  readonly ascq: number;
  /** The INFORMATION field when marked valid (for medium errors: the failing LBA). */
  readonly information: bigint | undefined;
  /** Descriptor format only. */
  readonly descriptors: readonly SenseDescriptor[];
  /** The sense was shorter than its own length fields said. */
  readonly truncated: boolean;
}
