// The heartbeat's share of the CPU, as corosync takes it: the daemon's main
// thread (which sends, receives and judges every heartbeat) runs at a modest
// real-time priority, so a loaded box (stress-ng on both CPUs) cannot starve
// it for a deadtime, which the peer would hear as silence on every path.
// Where the box refuses (no CAP_SYS_NICE, a cgroup without real-time budget)
// the daemon runs on as before and says so: a warning, not a crash.
//
// Memory is NOT locked, unlike corosync: mlockall() (any flags, even
// MCL_CURRENT | MCL_ONFAULT) makes V8 abort ("Check failed: 0 == ret" in
// OS::SetPermissions) when it gives back a page of its heap, which it does
// at exit and may do whenever a GC frees a code page: a locked daemon would
// crash, the worst outcome of all. docs/heartbeat.md, Stalls.
import { errorMessage } from '../../hal/errors.ts';
import { schedSetschedulerSync } from '../../hal/ioctl/libc.ts';
import { SCHED, encodeSchedParam } from '../../hal/sched/uapi.ts';

/**
 * SCHED_RR at 10: above every normal task, below the kernel's threaded IRQ
 * handlers (50) and its watchdog threads (99), so a runaway daemon cannot
 * block them; RR rather than FIFO so threads at the same priority (the
 * SG_IO worker, started later, inherits it) share the CPU. The kernel's
 * real-time throttling (95 % by default) still leaves the rest of the box
 * its share if the daemon ever spins.
 */
export const REALTIME_PRIORITY = 10;

/** The system call, injectable so tests check what is asked for. */
export type SetScheduler = (policy: number, param: Buffer) => void;

export interface RealtimeOutcome {
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * Ask for real-time scheduling; a refusal is reported, never thrown.
 * `TANDEM_REALTIME=off` skips it (a developer's machine, a debugger):
 * undefined then.
 */
export function enterRealtime(
  env: NodeJS.ProcessEnv,
  setScheduler: SetScheduler = schedSetschedulerSync,
): RealtimeOutcome | undefined {
  if (env['TANDEM_REALTIME'] === 'off') return undefined;
  try {
    setScheduler(SCHED.RR, encodeSchedParam(REALTIME_PRIORITY));
    return { ok: true, detail: `SCHED_RR priority ${REALTIME_PRIORITY}` };
  } catch (err) {
    return { ok: false, detail: errorMessage(err) };
  }
}
