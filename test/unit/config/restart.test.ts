// Every setting declares whether it applies live or needs a restart: each
// top-level setting carries the annotation and the fields inside inherit it.
// Live is claimed only for what a running part re-reads (event-log retention).
import { describe, expect, it } from 'vitest';
import { requiresRestart, splitByRestart } from '../../../firmware/config/restart.ts';
import { ConfigSchema } from '../../../firmware/config/schema.ts';

describe('requiresRestart', () => {
  it('is declared on every top-level setting', () => {
    const undeclared = Object.entries(ConfigSchema.properties)
      .filter(([, s]) => typeof (s as { requiresRestart?: unknown }).requiresRestart !== 'boolean')
      .map(([name]) => name);
    expect(undeclared).toEqual([]);
  });

  it('is live only for event-log retention (and the version itself)', () => {
    expect(requiresRestart('/eventlog/maxRows')).toBe(false);
    expect(requiresRestart('/configVersion')).toBe(false);
    for (const p of [
      '/cluster/heartbeat/intervalMs',
      '/mqtt/url',
      '/groups/0/resources/1/address',
      '/box/id',
    ])
      expect(requiresRestart(p)).toBe(true);
    expect(requiresRestart('/no/such/setting')).toBe(true);
    expect(splitByRestart(['/eventlog/maxAgeDays', '/failover/policy'])).toEqual({
      live: ['/eventlog/maxAgeDays'],
      restart: ['/failover/policy'],
    });
  });
});
