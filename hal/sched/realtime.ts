// The heartbeat's share of the CPU, as corosync takes it: the daemon's main
// thread (which sends, receives and judges every heartbeat) runs at a modest
// real-time priority, so a loaded box (stress-ng on both CPUs) cannot starve
// it for a deadtime, which the peer would hear as silence on every path.
// Where the box refuses (no CAP_SYS_NICE, a cgroup without real-time budget)
// the daemon runs on as before and says so: a warning, not a crash.
//
// Only the heartbeat's own threads run there. Without SCHED_RESET_ON_FORK
// every process the daemon starts (PostgreSQL, rauc install, mkfs, ip)
// inherited SCHED_RR 10: on a one-CPU controller the database and a 200 MB
// bundle install then shared the daemon's real-time slot round-robin, left
// every normal task (the broker, the web, the client's sessions) the
// throttling's 5 %, and the daemon itself stalled behind them for a second
// at a time (the VM pair's rolling upgrade: 16 client timeouts). The flag
// resets clones of every kind, threads included, so the one other thread
// the heartbeat needs, the SG_IO worker, asks for the same itself
// (realtimeForWorkers below, hal/scsi/sg/worker.ts).
//
// Memory is NOT locked, unlike corosync: mlockall() (any flags, even
// MCL_CURRENT | MCL_ONFAULT) makes V8 abort ("Check failed: 0 == ret" in
// OS::SetPermissions) when it gives back a page of its heap, which it does
// at exit and may do whenever a GC frees a code page: a locked daemon would
// crash, the worst outcome of all. docs/heartbeat.md, Stalls.
import { errorMessage } from '../errors.ts';
import { schedSetschedulerSync } from '../ioctl/libc.ts';
import { SCHED, encodeSchedParam } from './uapi.ts';

/**
 * SCHED_RR at 10: above every normal task, below the kernel's threaded IRQ
 * handlers (50) and its watchdog threads (99), so a runaway daemon cannot
 * block them; RR rather than FIFO so the heartbeat's threads at the same
 * priority share the CPU. The kernel's real-time throttling (95 % by
 * default) still leaves the rest of the box its share if the daemon spins.
 */
export const REALTIME_PRIORITY = 10;

/** What the heartbeat's threads ask for: SCHED_RR, and no inheritance by what they start. */
export const REALTIME_POLICY = SCHED.RR | SCHED.RESET_ON_FORK;

/** The system call, injectable so tests check what is asked for. */
export type SetScheduler = (policy: number, param: Buffer) => void;

export interface RealtimeOutcome {
  readonly ok: boolean;
  readonly detail: string;
}

/** Whether this process's main thread got real-time priority: its SG_IO workers then ask too. */
let granted = false;

/**
 * Ask for real-time scheduling for the calling thread; a refusal is
 * reported, never thrown. `TANDEM_REALTIME=off` skips it (a developer's
 * machine, a debugger): undefined then.
 */
export function enterRealtime(
  env: NodeJS.ProcessEnv,
  setScheduler: SetScheduler = schedSetschedulerSync,
): RealtimeOutcome | undefined {
  if (env['TANDEM_REALTIME'] === 'off') return undefined;
  const outcome = askRealtime(setScheduler);
  granted = outcome.ok;
  return outcome;
}

/** The request itself, for a thread that was reset to SCHED_OTHER when it started. */
export function askRealtime(setScheduler: SetScheduler = schedSetschedulerSync): RealtimeOutcome {
  try {
    setScheduler(REALTIME_POLICY, encodeSchedParam(REALTIME_PRIORITY));
    return { ok: true, detail: `SCHED_RR priority ${REALTIME_PRIORITY}, reset on fork` };
  } catch (err) {
    return { ok: false, detail: errorMessage(err) };
  }
}

/** Whether a thread started now for the heartbeat should ask for real-time priority. */
export function realtimeForWorkers(): boolean {
  return granted;
}
