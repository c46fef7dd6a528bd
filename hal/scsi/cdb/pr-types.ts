// Persistent reservation vocabulary (SPC-4 6.15, 6.16).

/** Reservation types. Fencing uses WRITE_EXCLUSIVE_REGISTRANTS_ONLY (5). */
export const PrType = {
  WRITE_EXCLUSIVE: 1,
  EXCLUSIVE_ACCESS: 3,
  WRITE_EXCLUSIVE_REGISTRANTS_ONLY: 5,
  EXCLUSIVE_ACCESS_REGISTRANTS_ONLY: 6,
  WRITE_EXCLUSIVE_ALL_REGISTRANTS: 7,
  EXCLUSIVE_ACCESS_ALL_REGISTRANTS: 8,
} as const;
export type PrType = (typeof PrType)[keyof typeof PrType];

const PR_TYPES: ReadonlySet<number> = new Set(Object.values(PrType));

export function isPrType(n: number): n is PrType {
  return PR_TYPES.has(n);
}

/** The only scope SPC-4 still defines. */
export const LU_SCOPE = 0;

export const PrInAction = {
  READ_KEYS: 0x00,
  READ_RESERVATION: 0x01,
  REPORT_CAPABILITIES: 0x02,
  READ_FULL_STATUS: 0x03,
} as const;
export type PrInAction = (typeof PrInAction)[keyof typeof PrInAction];

export const PrOutAction = {
  REGISTER: 0x00,
  RESERVE: 0x01,
  RELEASE: 0x02,
  CLEAR: 0x03,
  PREEMPT: 0x04,
  PREEMPT_AND_ABORT: 0x05,
  REGISTER_AND_IGNORE_EXISTING_KEY: 0x06,
  REGISTER_AND_MOVE: 0x07,
} as const;
export type PrOutAction = (typeof PrOutAction)[keyof typeof PrOutAction];

/** PR OUT parameter list flags (byte 20). */
export const PrOutFlag = {
  SPEC_I_PT: 0x08,
  ALL_TG_PT: 0x04,
  APTPL: 0x01,
} as const;

export const PR_OUT_PARAMETER_LENGTH = 24;
