// The footprint bench runs the lab's PostgreSQL pair with the firmware's
// default timing (tools/bench/_footprint-config.ts). The lab is not needed to
// know that config is valid and has the defaults: the firmware's own
// validator says so here, so a lab run cannot fail on a refused config.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, validateConfig } from '../../../firmware/config/validate.ts';
import { withDefaultTiming } from '../../../tools/bench/_footprint-config.ts';
import { withTiming } from '../../../tools/lab/configs/timing.ts';

const CONFIGS = join(import.meta.dirname, '../../../tools/lab/configs');

describe('the footprint bench config', () => {
  for (const name of ['pg-a.json', 'pg-b.json']) {
    it(`${name} with the default timing is valid and has the schema's defaults`, () => {
      const lab = JSON.parse(readFileSync(join(CONFIGS, name), 'utf8')) as Record<string, unknown>;
      const before = JSON.stringify(lab);
      const r = validateConfig(withDefaultTiming(lab));
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      const defaults = defaultConfig();
      expect(r.config.cluster.heartbeat).toEqual(defaults.cluster.heartbeat);
      expect(r.config.cluster.heartbeat.intervalMs).toBe(50);
      expect(r.config.failover.watchdog.timeoutS).toBe(defaults.failover.watchdog.timeoutS);
      // Each monitor at its agent's default, not the lab's 0.5-1 s.
      const labGroups = lab['groups'] as { resources: { monitorIntervalMs?: number }[] }[];
      r.config.groups.forEach((g, i) =>
        g.resources.forEach((entry, j) => {
          const res = entry as { monitorIntervalMs?: number };
          const tight = labGroups[i]?.resources[j]?.monitorIntervalMs;
          if (tight !== undefined) expect(res.monitorIntervalMs).not.toBe(tight);
          expect(res.monitorIntervalMs).toBeGreaterThanOrEqual(2000);
        }),
      );
      // The rest is the lab's: paths, group, addresses; the input is left alone.
      expect(r.config.groups.map((g) => g.name)).toEqual(
        (lab['groups'] as { name: string }[]).map((g) => g.name),
      );
      expect(JSON.stringify(lab)).toBe(before);
    });
  }

  // `--timing`: the longest interval a 500 ms deadtime allows (3 intervals,
  // config/rules.ts) and the old 1 s default, each over the same base.
  for (const timing of [
    { intervalMs: 166, warntimeMs: 333, deadtimeMs: 500 },
    { intervalMs: 1000, warntimeMs: 5000, deadtimeMs: 10000 },
  ])
    it(`pg-a.json with --timing ${timing.intervalMs}/${timing.warntimeMs}/${timing.deadtimeMs} is valid`, () => {
      const lab = JSON.parse(readFileSync(join(CONFIGS, 'pg-a.json'), 'utf8')) as Record<string, unknown>;
      const r = validateConfig(withTiming(withDefaultTiming(lab), timing));
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      expect(r.config.cluster.heartbeat).toMatchObject(timing);
      expect(r.config.failover.watchdog.timeoutS).toBe(defaultConfig().failover.watchdog.timeoutS);
    });
});
