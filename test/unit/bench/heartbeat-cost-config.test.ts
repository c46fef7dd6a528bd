// The heartbeat-cost bench runs a loopback pair from the lab's plain
// configs (tools/bench/_heartbeat-cost-config.ts). The firmware's own
// validator says here that what it runs is valid and is what it claims.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../firmware/config/validate.ts';
import { LOOPBACK, heartbeatCostConfig } from '../../../tools/bench/_heartbeat-cost-config.ts';

const CONFIGS = join(import.meta.dirname, '../../../tools/lab/configs');
const timing = { intervalMs: 50, warntimeMs: 300, deadtimeMs: 500 };

describe('the heartbeat-cost bench config', () => {
  for (const c of ['A', 'B'] as const) {
    it(`controller ${c}: valid, the timing asked for, loopback, nothing but heartbeats`, () => {
      const lab = JSON.parse(readFileSync(join(CONFIGS, `${c.toLowerCase()}.json`), 'utf8')) as Record<
        string,
        unknown
      >;
      const before = JSON.stringify(lab);
      const r = validateConfig(heartbeatCostConfig(lab, c, timing));
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      expect(r.config.cluster.heartbeat).toMatchObject(timing);
      expect(r.config.cluster.network).toMatchObject({
        enabled: true,
        localAddress: LOOPBACK[c],
        peerAddress: LOOPBACK[c === 'A' ? 'B' : 'A'],
      });
      expect(r.config.cluster.serial.enabled).toBe(true);
      expect(r.config.groups).toEqual([]);
      expect(r.config.failover.watchdog.enabled).toBe(false);
      expect(r.config.mqtt.enabled).toBe(false);
      expect(JSON.stringify(lab)).toBe(before);
    });
  }
});
