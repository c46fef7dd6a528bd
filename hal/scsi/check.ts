// Turn a ScsiResult into data or a typed ScsiError. A RESERVATION CONFLICT or
// a CHECK CONDITION is a normal answer from the device; this is the one place
// that decides what it means.
import { describeAsc, lookupAsc } from './asc.ts';
import type { ScsiResult } from './device.ts';
import { ScsiStatus } from './device.ts';
import type { ScsiErrorKind } from './errors.ts';
import { ScsiError } from './errors.ts';
import type { SenseData } from './sense-data.ts';
import { decodeSense } from './sense.ts';

const KIND_BY_SENSE_KEY: readonly ScsiErrorKind[] = [
  'no-sense',
  'recovered-error',
  'not-ready',
  'medium-error',
  'hardware-error',
  'illegal-request',
  'unit-attention',
  'data-protect',
  'blank-check',
  'vendor-specific',
  'copy-aborted',
  'aborted-command',
  'unknown-sense', // 0xC is obsolete (EQUAL)
  'volume-overflow',
  'miscompare',
  'completed',
];

/** Return the data of a GOOD result; throw a ScsiError describing anything else. */
export function checkResult(result: ScsiResult, what: string, device = 'scsi'): Uint8Array {
  const err = resultError(result, what, device);
  if (err !== undefined) throw err;
  return result.data;
}

/** The ScsiError a result stands for, or undefined for GOOD (and CONDITION MET). */
export function resultError(result: ScsiResult, what: string, device = 'scsi'): ScsiError | undefined {
  const status = result.status & 0xff;
  const simple = (kind: ScsiErrorKind, description: string): ScsiError =>
    new ScsiError(device, { kind, what, status, description });
  switch (status) {
    case ScsiStatus.GOOD:
    case ScsiStatus.CONDITION_MET:
      return undefined;
    case ScsiStatus.RESERVATION_CONFLICT:
      return simple('reservation-conflict', 'RESERVATION CONFLICT');
    case ScsiStatus.BUSY:
      return simple('busy', 'BUSY');
    case ScsiStatus.TASK_SET_FULL:
      return simple('task-set-full', 'TASK SET FULL');
    case ScsiStatus.ACA_ACTIVE:
      return simple('aca-active', 'ACA ACTIVE');
    case ScsiStatus.TASK_ABORTED:
      return simple('task-aborted', 'TASK ABORTED');
    case ScsiStatus.CHECK_CONDITION:
      return checkConditionError(result.sense, what, device);
    default:
      return simple('unexpected-status', `status 0x${status.toString(16).padStart(2, '0')}`);
  }
}

function checkConditionError(senseBytes: Uint8Array, what: string, device: string): ScsiError {
  const status = ScsiStatus.CHECK_CONDITION;
  let sense: SenseData;
  try {
    sense = decodeSense(senseBytes);
  } catch (cause) {
    return new ScsiError(
      device,
      {
        kind: 'unknown-sense',
        what,
        status,
        description: `CHECK CONDITION with unreadable sense (${senseBytes.length} bytes)`,
      },
      { cause },
    );
  }
  const kind = KIND_BY_SENSE_KEY[sense.senseKey] ?? 'unknown-sense';
  const entry = lookupAsc(sense.asc, sense.ascq);
  const deferred = sense.current ? '' : ' (deferred)';
  return new ScsiError(device, {
    kind,
    what,
    status,
    sense,
    ...(entry === undefined ? {} : { condition: entry.id }),
    description: describeAsc(sense.asc, sense.ascq) + deferred,
  });
}
