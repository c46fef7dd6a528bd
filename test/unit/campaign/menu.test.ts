// The menu covers every kind issue 18 lists, in the lab's names, with a heal,
// a bound and a takeover expectation; its timing is the lab's.
import { describe, expect, it } from 'vitest';
import { peersReachable, takeoverExpected } from '../../../tools/campaign/expect.ts';
import { LAB_TIMING } from '../../../firmware/cluster/timing.ts';
import {
  FAULT_KINDS,
  DEGRADABLE,
  convergenceBoundMs,
  healOf,
  type Cuttable,
  type Fault,
} from '../../../tools/campaign/menu.ts';
import { drawFault } from '../../../tools/campaign/plan.ts';
import { CUTTABLE } from '../../../tools/lab/topology.ts';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

describe('fault menu', () => {
  it('lists every kind of the issue, each with a heal and a positive bound', () => {
    expect([...FAULT_KINDS].sort()).toEqual(
      [
        'cut',
        'fill-volume',
        'kill',
        'kill-postgres',
        'maintenance',
        'degrade',
        'poweroff',
        'restart-tgtd',
        'serial-mode',
        'stall',
        'starve',
        'switchover',
      ].sort(),
    );
    const rng = xoroshiro128plus(1);
    for (const kind of FAULT_KINDS) {
      const f = drawFault(rng, kind);
      expect(f.kind).toBe(kind);
      expect(healOf(f).length).toBeGreaterThan(0);
      expect(convergenceBoundMs(kind)).toBeGreaterThan(LAB_TIMING.deadtimeMs);
    }
  });

  it('names links as the lab does', () => {
    for (const l of DEGRADABLE) expect(CUTTABLE).toContain(l);
  });
});

describe('takeover expectation', () => {
  const kill = (controller: 'A' | 'B'): Fault => ({ kind: 'kill', controller });
  const stall = (ms: number): Fault => ({ kind: 'stall', controller: 'A', ms });
  const cut = (links: readonly Cuttable[]): Fault => ({ kind: 'cut', links });

  it('calls for a takeover when the runner dies, never when the standby does', () => {
    expect(takeoverExpected(kill('A'), 'A', LAB_TIMING)).toBe('must');
    expect(takeoverExpected(kill('B'), 'A', LAB_TIMING)).toBe('never');
    expect(takeoverExpected({ kind: 'poweroff', controller: 'B', offMs: 0 }, 'B', LAB_TIMING)).toBe('must');
  });

  it('splits stalls at deadtime, with a margin where either outcome is fine', () => {
    expect(takeoverExpected(stall(100), 'A', LAB_TIMING)).toBe('never');
    expect(takeoverExpected(stall(LAB_TIMING.deadtimeMs), 'A', LAB_TIMING)).toBe('may');
    expect(takeoverExpected(stall(5000), 'A', LAB_TIMING)).toBe('must');
    expect(takeoverExpected(stall(5000), 'B', LAB_TIMING)).toBe('never');
  });

  it('forbids a takeover while a heartbeat path is up and the runner keeps its disk and LAN', () => {
    expect(takeoverExpected(cut(['serial']), 'A', LAB_TIMING)).toBe('never');
    expect(takeoverExpected(cut(['private']), 'A', LAB_TIMING)).toBe('never');
    expect(takeoverExpected(cut(['sas-b']), 'A', LAB_TIMING)).toBe('never');
    expect(takeoverExpected(cut(['serial', 'private', 'lan-b']), 'A', LAB_TIMING)).toBe('never');
    expect(takeoverExpected(cut(['sas-a']), 'A', LAB_TIMING)).toBe('may');
    expect(takeoverExpected(cut(['lan-a']), 'A', LAB_TIMING)).toBe('may');
    expect(takeoverExpected(cut(['serial', 'private', 'sas-b', 'lan-b']), 'A', LAB_TIMING)).toBe('may');
    expect(
      takeoverExpected({ kind: 'starve', controller: 'A', what: 'cpu', workers: 4 }, 'A', LAB_TIMING),
    ).toBe('never');
    expect(takeoverExpected({ kind: 'switchover' }, 'A', LAB_TIMING)).toBe('must');
  });

  it('sees the peers reachable while any heartbeat path is up', () => {
    expect(peersReachable([])).toBe(true);
    expect(peersReachable(['serial', 'private'])).toBe(true);
    expect(peersReachable(['serial', 'private', 'sas-a'])).toBe(false);
    expect(peersReachable(['serial', 'private', 'sas-b', 'lan-a', 'lan-b'])).toBe(false);
  });
});
