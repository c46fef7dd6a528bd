// Numbers from the Linux SG v3 interface (<scsi/sg.h>, <scsi/scsi.h>) that
// the transport encodes or decodes. test/unit/sg/layout.test.ts checks every
// one of them against the kernel headers (x86_64 run, aarch64 cross-compiled),
// so a typo here fails a test instead of corrupting a fencing command.

/** ioctl request number: write the command, wait, read the result. */
export const SG_IO = 0x2285;

/** sg_io_hdr.interface_id must be 'S' for the v3 interface. */
export const SG_INTERFACE_ID = 0x53;

export const SgDxfer = {
  NONE: -1,
  TO_DEV: -2,
  FROM_DEV: -3,
} as const;
export type SgDxfer = (typeof SgDxfer)[keyof typeof SgDxfer];

/** Bits of sg_io_hdr.info. */
export const SgInfo = {
  OK_MASK: 0x1,
  OK: 0x0,
  CHECK: 0x1,
  DIRECT_IO_MASK: 0x6,
  INDIRECT_IO: 0x0,
  DIRECT_IO: 0x2,
  MIXED_IO: 0x4,
} as const;

/** struct sg_io_hdr: 88 bytes, identical on x86_64 and aarch64 (LP64). */
export const SG_IO_HDR_SIZE = 88;

export const SgIoHdrOffset = {
  interface_id: 0,
  dxfer_direction: 4,
  cmd_len: 8,
  mx_sb_len: 9,
  iovec_count: 10,
  dxfer_len: 12,
  dxferp: 16,
  cmdp: 24,
  sbp: 32,
  timeout: 40,
  flags: 44,
  pack_id: 48,
  usr_ptr: 56,
  status: 64,
  masked_status: 65,
  msg_status: 66,
  sb_len_wr: 67,
  host_status: 68,
  driver_status: 70,
  resid: 72,
  duration: 76,
  info: 80,
} as const;
export type SgIoHdrField = keyof typeof SgIoHdrOffset;

/** host_status values (DID_* in the kernel's scsi.h / scsi_status.h). */
export const DidStatus = {
  OK: 0x00,
  NO_CONNECT: 0x01,
  BUS_BUSY: 0x02,
  TIME_OUT: 0x03,
  BAD_TARGET: 0x04,
  ABORT: 0x05,
  PARITY: 0x06,
  ERROR: 0x07,
  RESET: 0x08,
  BAD_INTR: 0x09,
  PASSTHROUGH: 0x0a,
  SOFT_ERROR: 0x0b,
  IMM_RETRY: 0x0c,
  REQUEUE: 0x0d,
  TRANSPORT_DISRUPTED: 0x0e,
  TRANSPORT_FAILFAST: 0x0f,
  TARGET_FAILURE: 0x10,
  /** Older kernels report a reservation conflict this way (REFERENCE §5). */
  NEXUS_FAILURE: 0x11,
  ALLOC_FAILURE: 0x12,
  MEDIUM_ERROR: 0x13,
  TRANSPORT_MARGINAL: 0x14,
} as const;

/** driver_status values; the high nibble carries legacy SUGGEST_* hints. */
export const DriverStatus = {
  OK: 0x00,
  BUSY: 0x01,
  SOFT: 0x02,
  MEDIA: 0x03,
  ERROR: 0x04,
  INVALID: 0x05,
  TIMEOUT: 0x06,
  HARD: 0x07,
  SENSE: 0x08,
  MASK: 0x0f,
} as const;

/**
 * Limits we validate against. cmd_len is a u8 and the kernel's sg driver
 * accepts at most SG_MAX_CDB_SIZE (252) bytes; SPC's variable-length CDBs can
 * in theory reach 260, which SG v3 cannot carry, so we stop at 252.
 */
export const SgLimits = {
  MIN_CDB: 6,
  MAX_CDB: 252,
  /** Sense buffer we hand the kernel; SPC-4 caps sense data at 252 bytes. */
  SENSE_BUFFER: 252,
  /** Largest data transfer we allow; the witness LUN needs kilobytes. */
  MAX_TRANSFER: 16 * 1024 * 1024,
  MIN_TIMEOUT_MS: 1,
  /** One hour: beyond this the caller has a bug, not a slow disk. */
  MAX_TIMEOUT_MS: 3_600_000,
} as const;
