// Names of additional sense codes (SPC-4 Annex D): the ones fencing and
// failover act on, plus the common ones worth a readable log line.

export interface AscEntry {
  readonly asc: number;
  readonly ascq: number;
  /** Stable identifier callers may compare against. */
  readonly id: string;
  /** SPC-4 wording, for logs. */
  readonly text: string;
}

/** Named ASC/ASCQ pairs the firmware branches on. */
export const Asc = {
  NO_ADDITIONAL_SENSE: { asc: 0x00, ascq: 0x00 },
  LUN_NOT_READY_CAUSE_NOT_REPORTABLE: { asc: 0x04, ascq: 0x00 },
  LUN_NOT_READY_BECOMING_READY: { asc: 0x04, ascq: 0x01 },
  LUN_NOT_READY_MANUAL_INTERVENTION: { asc: 0x04, ascq: 0x03 },
  WRITE_ERROR: { asc: 0x0c, ascq: 0x00 },
  UNRECOVERED_READ_ERROR: { asc: 0x11, ascq: 0x00 },
  PARAMETER_LIST_LENGTH_ERROR: { asc: 0x1a, ascq: 0x00 },
  INVALID_COMMAND_OPERATION_CODE: { asc: 0x20, ascq: 0x00 },
  LBA_OUT_OF_RANGE: { asc: 0x21, ascq: 0x00 },
  INVALID_FIELD_IN_CDB: { asc: 0x24, ascq: 0x00 },
  LUN_NOT_SUPPORTED: { asc: 0x25, ascq: 0x00 },
  INVALID_FIELD_IN_PARAMETER_LIST: { asc: 0x26, ascq: 0x00 },
  INVALID_RELEASE_OF_PERSISTENT_RESERVATION: { asc: 0x26, ascq: 0x04 },
  WRITE_PROTECTED: { asc: 0x27, ascq: 0x00 },
  POWER_ON_RESET: { asc: 0x29, ascq: 0x00 },
  I_T_NEXUS_LOSS: { asc: 0x29, ascq: 0x07 },
  PARAMETERS_CHANGED: { asc: 0x2a, ascq: 0x00 },
  MODE_PARAMETERS_CHANGED: { asc: 0x2a, ascq: 0x01 },
  RESERVATIONS_PREEMPTED: { asc: 0x2a, ascq: 0x03 },
  RESERVATIONS_RELEASED: { asc: 0x2a, ascq: 0x04 },
  REGISTRATIONS_PREEMPTED: { asc: 0x2a, ascq: 0x05 },
  CAPACITY_DATA_HAS_CHANGED: { asc: 0x2a, ascq: 0x09 },
  COMMANDS_CLEARED_BY_ANOTHER_INITIATOR: { asc: 0x2f, ascq: 0x00 },
  INSUFFICIENT_REGISTRATION_RESOURCES: { asc: 0x55, ascq: 0x04 },
  REPORTED_LUNS_DATA_HAS_CHANGED: { asc: 0x3f, ascq: 0x0e },
  INQUIRY_DATA_HAS_CHANGED: { asc: 0x3f, ascq: 0x03 },
  INTERNAL_TARGET_FAILURE: { asc: 0x44, ascq: 0x00 },
  LOGICAL_UNIT_FAILURE: { asc: 0x3e, ascq: 0x01 },
} as const;

export type AscName = keyof typeof Asc;

const ENTRIES: readonly AscEntry[] = [
  { asc: 0x00, ascq: 0x00, id: 'no-additional-sense', text: 'NO ADDITIONAL SENSE INFORMATION' },
  { asc: 0x00, ascq: 0x06, id: 'io-process-terminated', text: 'I/O PROCESS TERMINATED' },
  { asc: 0x04, ascq: 0x00, id: 'not-ready', text: 'LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE' },
  { asc: 0x04, ascq: 0x01, id: 'becoming-ready', text: 'LOGICAL UNIT IS IN PROCESS OF BECOMING READY' },
  {
    asc: 0x04,
    ascq: 0x02,
    id: 'initializing-command-required',
    text: 'LOGICAL UNIT NOT READY, INITIALIZING COMMAND REQUIRED',
  },
  {
    asc: 0x04,
    ascq: 0x03,
    id: 'manual-intervention-required',
    text: 'LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED',
  },
  {
    asc: 0x04,
    ascq: 0x0a,
    id: 'asymmetric-access-state-transition',
    text: 'LOGICAL UNIT NOT ACCESSIBLE, ASYMMETRIC ACCESS STATE TRANSITION',
  },
  {
    asc: 0x04,
    ascq: 0x0b,
    id: 'target-port-standby',
    text: 'LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN STANDBY STATE',
  },
  {
    asc: 0x04,
    ascq: 0x0c,
    id: 'target-port-unavailable',
    text: 'LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN UNAVAILABLE STATE',
  },
  { asc: 0x08, ascq: 0x00, id: 'lun-communication-failure', text: 'LOGICAL UNIT COMMUNICATION FAILURE' },
  { asc: 0x0c, ascq: 0x00, id: 'write-error', text: 'WRITE ERROR' },
  { asc: 0x11, ascq: 0x00, id: 'unrecovered-read-error', text: 'UNRECOVERED READ ERROR' },
  { asc: 0x1a, ascq: 0x00, id: 'parameter-list-length-error', text: 'PARAMETER LIST LENGTH ERROR' },
  { asc: 0x20, ascq: 0x00, id: 'invalid-opcode', text: 'INVALID COMMAND OPERATION CODE' },
  { asc: 0x21, ascq: 0x00, id: 'lba-out-of-range', text: 'LOGICAL BLOCK ADDRESS OUT OF RANGE' },
  { asc: 0x24, ascq: 0x00, id: 'invalid-field-in-cdb', text: 'INVALID FIELD IN CDB' },
  { asc: 0x25, ascq: 0x00, id: 'lun-not-supported', text: 'LOGICAL UNIT NOT SUPPORTED' },
  { asc: 0x26, ascq: 0x00, id: 'invalid-field-in-parameter-list', text: 'INVALID FIELD IN PARAMETER LIST' },
  {
    asc: 0x26,
    ascq: 0x04,
    id: 'invalid-release-of-persistent-reservation',
    text: 'INVALID RELEASE OF PERSISTENT RESERVATION',
  },
  { asc: 0x27, ascq: 0x00, id: 'write-protected', text: 'WRITE PROTECTED' },
  {
    asc: 0x28,
    ascq: 0x00,
    id: 'not-ready-to-ready',
    text: 'NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED',
  },
  { asc: 0x29, ascq: 0x00, id: 'power-on-reset', text: 'POWER ON, RESET, OR BUS DEVICE RESET OCCURRED' },
  { asc: 0x29, ascq: 0x01, id: 'power-on-occurred', text: 'POWER ON OCCURRED' },
  { asc: 0x29, ascq: 0x02, id: 'bus-reset-occurred', text: 'SCSI BUS RESET OCCURRED' },
  { asc: 0x29, ascq: 0x03, id: 'bus-device-reset', text: 'BUS DEVICE RESET FUNCTION OCCURRED' },
  { asc: 0x29, ascq: 0x04, id: 'device-internal-reset', text: 'DEVICE INTERNAL RESET' },
  { asc: 0x29, ascq: 0x07, id: 'i-t-nexus-loss', text: 'I_T NEXUS LOSS OCCURRED' },
  { asc: 0x2a, ascq: 0x00, id: 'parameters-changed', text: 'PARAMETERS CHANGED' },
  { asc: 0x2a, ascq: 0x01, id: 'mode-parameters-changed', text: 'MODE PARAMETERS CHANGED' },
  { asc: 0x2a, ascq: 0x03, id: 'reservations-preempted', text: 'RESERVATIONS PREEMPTED' },
  { asc: 0x2a, ascq: 0x04, id: 'reservations-released', text: 'RESERVATIONS RELEASED' },
  { asc: 0x2a, ascq: 0x05, id: 'registrations-preempted', text: 'REGISTRATIONS PREEMPTED' },
  { asc: 0x2a, ascq: 0x06, id: 'asymmetric-access-state-changed', text: 'ASYMMETRIC ACCESS STATE CHANGED' },
  { asc: 0x2a, ascq: 0x09, id: 'capacity-data-changed', text: 'CAPACITY DATA HAS CHANGED' },
  {
    asc: 0x2f,
    ascq: 0x00,
    id: 'commands-cleared-by-another-initiator',
    text: 'COMMANDS CLEARED BY ANOTHER INITIATOR',
  },
  { asc: 0x31, ascq: 0x00, id: 'medium-format-corrupted', text: 'MEDIUM FORMAT CORRUPTED' },
  { asc: 0x3a, ascq: 0x00, id: 'medium-not-present', text: 'MEDIUM NOT PRESENT' },
  { asc: 0x3e, ascq: 0x01, id: 'logical-unit-failure', text: 'LOGICAL UNIT FAILURE' },
  { asc: 0x3f, ascq: 0x03, id: 'inquiry-data-changed', text: 'INQUIRY DATA HAS CHANGED' },
  { asc: 0x3f, ascq: 0x0e, id: 'reported-luns-changed', text: 'REPORTED LUNS DATA HAS CHANGED' },
  { asc: 0x44, ascq: 0x00, id: 'internal-target-failure', text: 'INTERNAL TARGET FAILURE' },
  { asc: 0x47, ascq: 0x00, id: 'scsi-parity-error', text: 'SCSI PARITY ERROR' },
  { asc: 0x4b, ascq: 0x00, id: 'data-phase-error', text: 'DATA PHASE ERROR' },
  {
    asc: 0x55,
    ascq: 0x04,
    id: 'insufficient-registration-resources',
    text: 'INSUFFICIENT REGISTRATION RESOURCES',
  },
];

const BY_CODE = new Map<number, AscEntry>(ENTRIES.map((e) => [(e.asc << 8) | e.ascq, e]));

/** The entry for an ASC/ASCQ pair, or undefined when we have no name for it. */
export function lookupAsc(asc: number, ascq: number): AscEntry | undefined {
  return BY_CODE.get(((asc & 0xff) << 8) | (ascq & 0xff));
}

/** Readable text for any pair, including ones not in the table. */
export function describeAsc(asc: number, ascq: number): string {
  const entry = lookupAsc(asc, ascq);
  const code = `${hex2(asc)}/${hex2(ascq)}`;
  return entry === undefined ? `ASC/ASCQ ${code}` : `${entry.text} (${code})`;
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}
