// Typed errors of the SCSI layer. A response we cannot trust becomes a
// ScsiParseError naming the field; a command the device refused becomes a
// ScsiError whose `kind` callers switch on (fencing acts on
// 'reservation-conflict' and 'unit-attention', never on message text).
import { HalError } from '../errors.ts';
import type { SenseData } from './sense-data.ts';

/** Bytes from a device were short, inconsistent or out of range. */
export class ScsiParseError extends HalError {
  /** What was being parsed, e.g. "READ KEYS". */
  readonly what: string;
  /** The field that could not be trusted, e.g. "additional length". */
  readonly field: string;

  constructor(what: string, field: string, message: string, options?: ErrorOptions) {
    super('protocol', what, `${field}: ${message}`, options);
    this.name = 'ScsiParseError';
    this.what = what;
    this.field = field;
  }
}

/** A caller passed a value that cannot be encoded into a CDB or parameter list. */
export class ScsiArgumentError extends HalError {
  readonly field: string;

  constructor(what: string, field: string, message: string) {
    super('invalid-argument', what, `${field}: ${message}`);
    this.name = 'ScsiArgumentError';
    this.field = field;
  }
}

/** Why a command did not complete with GOOD status. */
export type ScsiErrorKind =
  // From the status byte alone.
  | 'reservation-conflict'
  | 'busy'
  | 'task-set-full'
  | 'aca-active'
  | 'task-aborted'
  | 'unexpected-status'
  // From the sense key of a CHECK CONDITION.
  | 'no-sense'
  | 'recovered-error'
  | 'not-ready'
  | 'medium-error'
  | 'hardware-error'
  | 'illegal-request'
  | 'unit-attention'
  | 'data-protect'
  | 'blank-check'
  | 'vendor-specific'
  | 'copy-aborted'
  | 'aborted-command'
  | 'volume-overflow'
  | 'miscompare'
  | 'completed'
  // CHECK CONDITION whose sense data was missing or unreadable.
  | 'unknown-sense';

export interface ScsiErrorDetails {
  readonly kind: ScsiErrorKind;
  /** The command that failed, e.g. "WRITE(16)". */
  readonly what: string;
  readonly status: number;
  /** Decoded sense, when there was any we could read. */
  readonly sense?: SenseData;
  /** Stable name of the ASC/ASCQ pair, e.g. 'reservations-preempted'. */
  readonly condition?: string;
  readonly description: string;
}

export class ScsiError extends HalError {
  readonly kind: ScsiErrorKind;
  readonly what: string;
  readonly status: number;
  readonly sense: SenseData | undefined;
  readonly condition: string | undefined;

  constructor(device: string, details: ScsiErrorDetails, options?: ErrorOptions) {
    const code = details.kind === 'busy' || details.kind === 'task-set-full' ? 'busy' : 'io';
    super(code, device, `${details.what}: ${details.kind}: ${details.description}`, options);
    this.name = 'ScsiError';
    this.kind = details.kind;
    this.what = details.what;
    this.status = details.status;
    this.sense = details.sense;
    this.condition = details.condition;
  }

  get asc(): number | undefined {
    return this.sense?.asc;
  }

  get ascq(): number | undefined {
    return this.sense?.ascq;
  }
}

export function isScsiError(err: unknown, kind?: ScsiErrorKind): err is ScsiError {
  return err instanceof ScsiError && (kind === undefined || err.kind === kind);
}
