// Resource configuration: defaults, errors that name the field, and building groups.
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { SimLan } from '../../../hal/net/sim.ts';
import { parseHooks, parseResource, parseRestartPolicy } from '../../../firmware/config/resource-check.ts';
import { buildGroup } from '../../../firmware/resources/factory.ts';
import { OCF, describeResult, fail, isHardFailure, ocfName } from '../../../firmware/resources/ocf.ts';
import { fakeRunner } from './fakes.ts';

describe('OCF results', () => {
  it('uses Pacemaker’s numbers', () => {
    expect(OCF).toEqual({
      ok: 0,
      'generic-error': 1,
      'invalid-param': 2,
      unimplemented: 3,
      'insufficient-privilege': 4,
      'not-installed': 5,
      'not-configured': 6,
      'not-running': 7,
    });
    expect(ocfName(7)).toBe('not-running');
    expect(describeResult(fail('generic-error', 'x', { timedOut: true }))).toBe(
      'generic-error (1), timed out: x',
    );
  });
  it('treats configuration and installation errors as hard', () => {
    expect(isHardFailure(fail('not-installed', ''))).toBe(true);
    expect(isHardFailure(fail('not-configured', ''))).toBe(true);
    expect(isHardFailure(fail('generic-error', ''))).toBe(false);
    expect(isHardFailure(fail('not-running', ''))).toBe(false);
  });
});

describe('resource configuration', () => {
  it('fills defaults', () => {
    const r = parseResource({ type: 'vip', address: '198.18.2.10', interface: 'lan0' });
    expect(r).toEqual({
      ok: true,
      value: {
        type: 'vip',
        name: 'vip',
        address: '198.18.2.10',
        prefix: 24,
        interface: 'lan0',
        garp: { count: 5, intervalMs: 200, refreshDelayMs: 5000, refreshCount: 5 },
        probeTimeoutMs: 1000,
        ordered: true,
        monitorIntervalMs: 5000,
        timeouts: {},
      },
    });
    const pg = parseResource({ type: 'postgresql', dataDir: '/srv/data/pgdata' });
    expect(pg.ok && pg.value).toMatchObject({
      user: 'postgres',
      binDir: '/usr/lib/postgresql/15/bin',
      port: 5432,
    });
    const fs = parseResource({ type: 'filesystem', device: '/dev/loop0', mountpoint: '/srv/data' });
    expect(fs.ok && fs.value).toMatchObject({ fstype: 'ext4', fsck: 'when-unclean', options: [] });
  });

  it('names the field at fault', () => {
    const bad = (raw: unknown) => ((r) => (r.ok ? [] : r.error))(parseResource(raw, '/groups/0/resources/1'));
    const unknownType = bad({ type: 'nfs' });
    expect(unknownType.map((e) => e.path)).toEqual(['/groups/0/resources/1/type']);
    expect(unknownType[0]?.message).toContain('"filesystem"');
    expect(bad({ type: 'vip', address: '198.18.2.300', interface: 'lan0' })[0]?.path).toBe(
      '/groups/0/resources/1/address',
    );
    expect(bad({ type: 'filesystem', device: '/dev/../etc/shadow', mountpoint: '/srv' })[0]?.path).toBe(
      '/groups/0/resources/1/device',
    );
    expect(
      bad({ type: 'filesystem', device: '/dev/sdb', mountpoint: '/srv', options: ['ro,exec'] })[0]?.path,
    ).toBe('/groups/0/resources/1/options/0');
    expect(bad({ type: 'postgresql', dataDir: '/srv/"$(reboot)"' })[0]?.path).toBe(
      '/groups/0/resources/1/dataDir',
    );
    expect(
      bad({ type: 'service', start: ['app', 'start'], stop: ['/bin/true'], status: ['/bin/true'] }),
    ).toEqual([
      { path: '/groups/0/resources/1/start/0', message: 'must be an absolute path to an executable' },
    ]);
    expect(bad({ type: 'reservation', luns: [1], colour: 'red' })).toEqual([
      { path: '/groups/0/resources/1/colour', message: 'is not a known setting (misspelt?)' },
    ]);
  });

  it('parses hooks and the restart policy', () => {
    const hooks = parseHooks([{ event: 'pre-failover', command: ['/etc/tandem/pre', 'x'] }]);
    expect(hooks).toEqual({
      ok: true,
      value: [
        { event: 'pre-failover', command: ['/etc/tandem/pre', 'x'], timeoutMs: 30_000, onFailure: 'warn' },
      ],
    });
    const badHook = parseHooks([{ event: 'pre-boot', command: ['pre'] }]);
    expect(badHook.ok ? [] : badHook.error.map((e) => e.path)).toEqual(['/hooks/0/event']);
    expect(parseRestartPolicy(undefined)).toEqual({ ok: true, value: { maxRestarts: 3, windowMs: 600_000 } });
  });

  it('builds a group in configured order, or lists every error', () => {
    const lan = new SimLan();
    const deps = {
      controller: 'A' as const,
      clock: new SimClock(),
      run: fakeRunner().run,
      net: lan.addHost('a'),
      fencerFor: () => undefined,
    };
    const built = buildGroup(
      {
        name: 'db',
        resources: [
          { type: 'reservation', luns: [1] },
          { type: 'filesystem', device: '/dev/loop0', mountpoint: '/srv/data' },
          { type: 'vip', address: '198.18.2.10', interface: 'eth0' },
          { type: 'postgresql', dataDir: '/srv/data/pgdata' },
        ],
      },
      deps,
    );
    expect(built.ok && built.value.group.agents.map((a) => a.type)).toEqual([
      'reservation',
      'filesystem',
      'vip',
      'postgresql',
    ]);
    const dup = buildGroup(
      {
        name: 'db',
        resources: [
          { type: 'reservation', luns: [1] },
          { type: 'reservation', luns: [2] },
        ],
        hooks: 'x',
      },
      deps,
      '/groups/0',
    );
    expect(dup.ok ? [] : dup.error.map((e) => e.path)).toEqual([
      '/groups/0/resources/1/name',
      '/groups/0/hooks',
    ]);
  });
});
