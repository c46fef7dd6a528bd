// SCSI operation codes we build (SPC-4, SBC-3). The sim target dispatches on
// the same constants, so a typo cannot make the two agree by accident.
export const Opcode = {
  TEST_UNIT_READY: 0x00,
  INQUIRY: 0x12,
  SYNCHRONIZE_CACHE_10: 0x35,
  PERSISTENT_RESERVE_IN: 0x5e,
  PERSISTENT_RESERVE_OUT: 0x5f,
  READ_16: 0x88,
  WRITE_16: 0x8a,
  SYNCHRONIZE_CACHE_16: 0x91,
  SERVICE_ACTION_IN_16: 0x9e,
} as const;

/** Service action of SERVICE ACTION IN(16) that is READ CAPACITY(16). */
export const READ_CAPACITY_16_SA = 0x10;
