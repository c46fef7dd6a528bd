// What the Config page says an edit or a file changes, against the box's
// real schema: each changed setting with its description, whether it waits
// for a restart (the same answer as config/restart.ts), secrets named but
// never shown, and a redacted secret counted as no change.
import { describe, expect, it } from 'vitest';
import { redacted } from '../../../firmware/config/import-plan.ts';
import { requiresRestart } from '../../../firmware/config/restart.ts';
import { ConfigSchema } from '../../../firmware/config/schema.ts';
import { defaultConfig } from '../../../firmware/config/validate.ts';
import { configChanges, documentConfig, mergedOnto } from '../../../firmware/web/client/config-diff.ts';
import { withValue } from '../../../firmware/web/client/config-form.ts';

const schema: unknown = JSON.parse(JSON.stringify(ConfigSchema));
const shown: unknown = JSON.parse(JSON.stringify(redacted(defaultConfig())));

describe('config changes', () => {
  it('finds nothing when nothing changed', () => {
    expect(configChanges(schema, shown, structuredClone(shown))).toEqual([]);
  });

  it('lists each changed setting with its description and when it takes effect', () => {
    let after = withValue(shown, '/web/idleMinutes', 30);
    after = withValue(after, '/cluster/heartbeat/intervalMs', 500);
    after = withValue(after, '/mqtt/username', 'noc');
    after = withValue(after, '/configVersion', 99);
    expect(configChanges(schema, shown, after)).toEqual([
      {
        pointer: '/cluster/heartbeat/intervalMs',
        label: 'Time between heartbeats',
        before: '1000',
        after: '500',
        restart: true,
      },
      { pointer: '/mqtt/username', label: 'Broker user', before: '(not set)', after: '"noc"', restart: true },
      {
        pointer: '/web/idleMinutes',
        label: 'A session idle this long is logged out',
        before: '15',
        after: '30',
        restart: false,
      },
    ]);
  });

  it('agrees with the box on what waits for a restart', () => {
    for (const p of ['/eventlog/maxAgeDays', '/web/users', '/web/port', '/failover/policy', '/groups']) {
      const before = withValue(shown, p, 1);
      const [c] = configChanges(schema, before, withValue(shown, p, 2));
      expect(c?.restart, p).toBe(requiresRestart(p));
    }
  });

  it('never shows a secret, and a redacted one is no change', () => {
    const key = 'ab'.repeat(32);
    const [c] = configChanges(schema, shown, withValue(shown, '/cluster/key', key));
    expect(c).toMatchObject({ pointer: '/cluster/key', before: '(secret, unchanged)', after: '(secret)' });
    expect(JSON.stringify(c)).not.toContain(key);
    const inForce = withValue(shown, '/mqtt/password', 'pw');
    expect(configChanges(schema, inForce, withValue(inForce, '/mqtt/password', '<redacted>'))).toEqual([]);
    const users = [{ name: 'ann', role: 'admin', hash: 'scrypt$1$1$1$AAAA$BBBB', mustChange: false }];
    const [u] = configChanges(schema, shown, withValue(shown, '/web/users', users));
    expect(u?.after).not.toContain('scrypt');
    expect(u?.after).toContain('"ann"');
  });

  it('reads an export or a bare config, and merges a partial one as --merge does', () => {
    expect(documentConfig({ format: 'tandem-config', config: { a: 1 } })).toEqual({ a: 1 });
    expect(documentConfig({ a: 1 })).toEqual({ a: 1 });
    const merged = mergedOnto(shown, { web: { idleMinutes: 5 } });
    expect(configChanges(schema, shown, merged).map((c) => c.pointer)).toEqual(['/web/idleMinutes']);
    const partial = configChanges(schema, shown, { web: { idleMinutes: 5 } });
    expect(partial.length).toBeGreaterThan(10);
  });

  it('bounds what a hostile file can make it walk', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    expect(() => configChanges(schema, shown, deep)).not.toThrow();
    const wide = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i]));
    expect(configChanges(schema, {}, wide)).toHaveLength(500);
    const proto = JSON.parse('{"__proto__": {"polluted": 1}}') as unknown;
    expect(configChanges(schema, {}, proto).map((c) => c.pointer)).toEqual(['/__proto__/polluted']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
