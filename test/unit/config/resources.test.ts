// groups[].resources are checked against each agent's own schema at
// validation, so import and replication refuse a bad VIP or mount up front.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../firmware/config/validate.ts';

const withResource = (resource: Record<string, unknown>) => ({
  groups: [{ name: 'db', resources: [resource] }],
});

function paths(input: unknown): string[] {
  const r = validateConfig(input);
  return r.ok ? [] : r.errors.map((e) => e.path);
}

describe('per-agent resource settings in the config', () => {
  it('refuses a bad VIP address, naming the field', () => {
    expect(paths(withResource({ type: 'vip', address: '10.0.0.300', interface: 'eth0' }))).toEqual([
      '/groups/0/resources/0/address',
    ]);
  });

  it('refuses a mount point with a .. segment and an unknown agent field', () => {
    expect(
      paths(
        withResource({ type: 'filesystem', device: '/dev/sdb1', mountpoint: '/srv/../etc', optoins: [] }),
      ).sort(),
    ).toEqual(['/groups/0/resources/0/mountpoint', '/groups/0/resources/0/optoins']);
  });

  it('refuses an unknown resource type and a relative hook command', () => {
    expect(paths(withResource({ type: 'nfs' }))).toEqual(['/groups/0/resources/0/type']);
    expect(
      paths({
        groups: [{ name: 'db', hooks: [{ event: 'pre-failover', command: ['run.sh'] }] }],
      }),
    ).toEqual(['/groups/0/hooks/0/command/0']);
  });

  it('accepts a good resource and fills in its agent defaults', () => {
    const r = validateConfig(withResource({ type: 'vip', address: '10.0.0.10', interface: 'eth0' }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.groups[0]?.resources[0]).toMatchObject({ name: 'vip', prefix: 24, garp: { count: 5 } });
  });
});
