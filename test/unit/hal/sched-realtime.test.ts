// Real-time scheduling for the heartbeat (hal/sched/realtime.ts):
// what is asked of the kernel, and a box that refuses is a warning, never a
// crash. The constants and sched_param's layout are checked against the
// headers in test/unit/hal/ioctl-layout.test.ts.
import { describe, expect, it } from 'vitest';
import { SyscallError } from '../../../hal/ioctl/errors.ts';
import {
  REALTIME_PRIORITY,
  askRealtime,
  enterRealtime,
  realtimeForWorkers,
} from '../../../hal/sched/realtime.ts';

const EPERM = 1;

function recorder(refuse?: number) {
  const calls: string[] = [];
  const setScheduler = (policy: number, param: Buffer): void => {
    calls.push(`sched_setscheduler(0, ${policy}, ${param.toString('hex')})`);
    if (refuse !== undefined) throw new SyscallError('sched_setscheduler', refuse, 'process');
  };
  return { calls, setScheduler };
}

describe('heartbeat real-time scheduling', () => {
  it('asks for SCHED_RR (2) reset on fork (0x40000000) at priority 10, sched_param as one little-endian int', () => {
    const r = recorder();
    expect(REALTIME_PRIORITY).toBe(10);
    expect(enterRealtime({}, r.setScheduler)).toEqual({
      ok: true,
      detail: 'SCHED_RR priority 10, reset on fork',
    });
    // Nothing the daemon starts (PostgreSQL, rauc, ip) may inherit it.
    expect(r.calls).toEqual([`sched_setscheduler(0, ${0x4000_0002}, 0a000000)`]);
    expect(realtimeForWorkers()).toBe(true);
    expect(askRealtime(r.setScheduler).ok).toBe(true);
    expect(r.calls[1]).toBe(r.calls[0]);
  });

  it('a box that refuses (EPERM) gives a report, and nothing throws', () => {
    const r = recorder(EPERM);
    expect(enterRealtime({}, r.setScheduler)).toEqual({
      ok: false,
      detail: 'process: sched_setscheduler failed: EPERM',
    });
    // The SG_IO worker is not asked to try what the main thread was refused.
    expect(realtimeForWorkers()).toBe(false);
  });

  it('TANDEM_REALTIME=off asks for nothing', () => {
    const r = recorder();
    expect(enterRealtime({ TANDEM_REALTIME: 'off' }, r.setScheduler)).toBeUndefined();
    expect(r.calls).toEqual([]);
  });
});
