// Real-time scheduling for the heartbeat (firmware/heartbeat/realtime.ts):
// what is asked of the kernel, and a box that refuses is a warning, never a
// crash. The constants and sched_param's layout are checked against the
// headers in test/unit/hal/ioctl-layout.test.ts.
import { describe, expect, it } from 'vitest';
import { SyscallError } from '../../../hal/ioctl/errors.ts';
import { REALTIME_PRIORITY, enterRealtime } from '../../../firmware/heartbeat/realtime.ts';

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
  it('asks for SCHED_RR (2) at priority 10, sched_param as one little-endian int', () => {
    const r = recorder();
    expect(REALTIME_PRIORITY).toBe(10);
    expect(enterRealtime({}, r.setScheduler)).toEqual({ ok: true, detail: 'SCHED_RR priority 10' });
    expect(r.calls).toEqual(['sched_setscheduler(0, 2, 0a000000)']);
  });

  it('a box that refuses (EPERM) gives a report, and nothing throws', () => {
    const r = recorder(EPERM);
    expect(enterRealtime({}, r.setScheduler)).toEqual({
      ok: false,
      detail: 'process: sched_setscheduler failed: EPERM',
    });
  });

  it('TANDEM_REALTIME=off asks for nothing', () => {
    const r = recorder();
    expect(enterRealtime({ TANDEM_REALTIME: 'off' }, r.setScheduler)).toBeUndefined();
    expect(r.calls).toEqual([]);
  });
});
