// The lab benches' --timing (tools/lab/configs/timing.ts): the lab's
// configs with a proposed heartbeat timing, which the firmware must accept,
// so a lab run cannot fail on a refused config.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../firmware/config/validate.ts';
import { formatTiming, parseTiming, withTiming } from '../../../tools/lab/configs/timing.ts';

const CONFIGS = join(import.meta.dirname, '../../../tools/lab/configs');

describe('the lab benches --timing', () => {
  it('parses INTERVAL/WARNTIME/DEADTIME and refuses anything else, naming the option', () => {
    expect(parseTiming('50/300/500')).toEqual({ intervalMs: 50, warntimeMs: 300, deadtimeMs: 500 });
    expect(formatTiming(parseTiming('166/333/500'))).toBe('166/333/500');
    for (const bad of ['50/300', '50/300/500/1', '50,300,500', '-50/300/500', '300/50/500', '5/30/50', ''])
      expect(() => parseTiming(bad)).toThrow(/--timing/);
  });

  for (const name of ['a.json', 'b.json', 'pg-a.json', 'pg-b.json']) {
    it(`${name} with 50/300/500 is valid and has that timing, the rest unchanged`, () => {
      const lab = JSON.parse(readFileSync(join(CONFIGS, name), 'utf8')) as Record<string, unknown>;
      const before = JSON.stringify(lab);
      const r = validateConfig(withTiming(lab, parseTiming('50/300/500')));
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      expect(r.config.cluster.heartbeat).toMatchObject({ intervalMs: 50, warntimeMs: 300, deadtimeMs: 500 });
      // initdead kept from the lab's config (5 s), not lowered.
      expect(r.config.cluster.heartbeat.initdeadMs).toBe(5000);
      expect(JSON.stringify(lab)).toBe(before);
      const orig = validateConfig(lab);
      if (!orig.ok) throw new Error(JSON.stringify(orig.errors));
      expect(r.config.groups).toEqual(orig.config.groups);
      expect(r.config.cluster.network).toEqual(orig.config.cluster.network);
    });
  }

  it('raises initdead to the deadtime when the timing asks for more', () => {
    const lab = JSON.parse(readFileSync(join(CONFIGS, 'a.json'), 'utf8')) as Record<string, unknown>;
    const r = validateConfig(withTiming(lab, parseTiming('1000/5000/10000')));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.config.cluster.heartbeat.initdeadMs).toBe(10000);
  });
});
