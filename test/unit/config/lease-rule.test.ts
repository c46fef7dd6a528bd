import { describe, expect, it } from 'vitest';
import { checkRules } from '../../../firmware/config/rules.ts';
import { defaultConfig } from '../../../firmware/config/validate.ts';

function paths(c: ReturnType<typeof defaultConfig>): string[] {
  return checkRules(c).errors.map((e) => e.path);
}

describe('lease-timing config rule', () => {
  it('accepts the defaults', () => {
    const c = defaultConfig();
    expect(paths(c)).not.toContain('/failover/watchdog/timeoutS');
    expect(paths(c)).not.toContain('/failover/fenceDelayMs');
  });

  it('refuses a watchdog timeout shorter than two heartbeat intervals, naming the field', () => {
    const c = defaultConfig();
    c.failover.watchdog.timeoutS = 3;
    c.cluster.heartbeat = { intervalMs: 2000, warntimeMs: 5000, deadtimeMs: 10_000, initdeadMs: 30_000 };
    const issue = checkRules(c).errors.find((e) => e.path === '/failover/watchdog/timeoutS');
    expect(issue?.message).toMatch(/4000 ms/);
    c.failover.watchdog.enabled = false;
    expect(paths(c)).not.toContain('/failover/watchdog/timeoutS');
  });

  it('refuses a fence delay too short to let the first fence land, but allows 0', () => {
    const c = defaultConfig();
    c.failover.fenceDelayMs = 1000;
    expect(paths(c)).toContain('/failover/fenceDelayMs');
    c.failover.fenceDelayMs = 0;
    expect(paths(c)).not.toContain('/failover/fenceDelayMs');
  });
});
