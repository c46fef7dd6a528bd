// The watchdog on a real kernel: hal/watchdog's Linux driver against softdog.
// While the firmware pets it the guest lives past the timeout; when it stops,
// softdog resets the guest, which QEMU (-no-reboot) turns into exiting.
import { describe, expect, it } from 'vitest';
import { nodeCommand, runGuest } from '../../tools/kernel/guest.ts';
import { explain, outFile } from './guest-run.ts';

const TIMEOUT_S = 3;
const PET_FOR_S = 8;

describe('watchdog against softdog (kernel tier)', () => {
  it('lives while petted past its timeout, and resets the guest within the timeout once petting stops', async () => {
    const script = await nodeCommand('test/kernel/guest/watchdog.ts', [
      '/run/out/progress.log',
      String(TIMEOUT_S),
      String(PET_FOR_S),
    ]);
    // softdog's own default margin is 60 s: start it with ours so the driver's SETTIMEOUT is what is tested.
    const job = `set -e\nmodprobe softdog soft_margin=30\n${script}`;
    const run = await runGuest({ name: 'watchdog', job, timeoutMs: 150_000 });
    console.log(
      `kernel tier: watchdog: guest ${run.elapsedMs} ms, root ready at ${run.bootSeconds} s guest time`,
    );
    const progress = outFile(run, 'progress.log');
    console.log(`kernel tier: watchdog progress\n${progress}`);
    expect(run.timedOut, explain(run)).toBe(false);
    // Reset, not a clean end: the job never wrote its exit code.
    expect(run.jobExitCode, explain(run)).toBeUndefined();
    expect(progress).toContain(`granted ${TIMEOUT_S}`);
    expect(progress).toContain(`timeout ${TIMEOUT_S}`);
    const stopped = /^[\d.]+ stopped after (\d+) pets, the last at ([\d.]+)$/m.exec(progress);
    expect(stopped, progress).not.toBeNull();
    expect(Number(stopped![1])).toBeGreaterThan(TIMEOUT_S);
    // softdog's "Initiating system reboot" carries the kernel's timestamp.
    const fired = /\[\s*([\d.]+)\] softdog: Initiating system reboot/.exec(run.console);
    expect(fired, explain(run)).not.toBeNull();
    const delay = Number(fired![1]) - Number(stopped![2]);
    console.log(`kernel tier: watchdog fired ${delay.toFixed(2)} s after the last pet`);
    expect(delay).toBeGreaterThan(TIMEOUT_S - 0.5);
    expect(delay).toBeLessThan(TIMEOUT_S + 1.5);
  });
});
