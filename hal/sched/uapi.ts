// Real-time scheduling (<sched.h>): the policies and the sched_param layout,
// checked against the headers by ioctl-layout.test.ts (native x86_64 and
// cross aarch64).

export const SCHED_STRUCTS = {
  sched_param: { size: 4, offsets: { sched_priority: 0 } },
} as const;

/**
 * Scheduling policies (sched_setscheduler), and the flag ORed into one that
 * makes every clone (child process and thread alike) start at SCHED_OTHER.
 */
export const SCHED = { OTHER: 0, FIFO: 1, RR: 2, RESET_ON_FORK: 0x4000_0000 } as const;

export const SCHED_CONSTANTS: Record<string, number> = {
  SCHED_OTHER: SCHED.OTHER,
  SCHED_FIFO: SCHED.FIFO,
  SCHED_RR: SCHED.RR,
  SCHED_RESET_ON_FORK: SCHED.RESET_ON_FORK,
};

/** struct sched_param as the kernel reads it: one int, the priority (1..99 for FIFO/RR). */
export function encodeSchedParam(priority: number): Buffer {
  const buf = Buffer.alloc(SCHED_STRUCTS.sched_param.size);
  buf.writeInt32LE(priority, SCHED_STRUCTS.sched_param.offsets.sched_priority);
  return buf;
}
