import { describe, expect, it } from 'vitest';
import { checkTakeoverWait, minTakeoverWaitMs } from '../../../firmware/failover/lease.ts';
import {
  failbackGroups,
  fencesFirst,
  homeOf,
  runnerOfFreeGroup,
} from '../../../firmware/failover/placement.ts';

const AA = {
  policy: 'active-active' as const,
  groups: [
    { name: 'db', preferred: 'A' as const },
    { name: 'files', preferred: 'B' as const },
  ],
};
const AS = { ...AA, policy: 'active-standby' as const };

describe('placement', () => {
  it('puts every group on the first group home in active/standby, each on its own in active/active', () => {
    expect(homeOf(AS, 'files')).toBe('A');
    expect(homeOf(AA, 'files')).toBe('B');
  });

  it('gives a free group to the only candidate, else to whoever did not release it, else home', () => {
    const v = {
      self: 'A' as const,
      selfCandidate: true,
      peerCandidate: true,
      releasedBy: undefined,
      failedOnSelf: false,
      failedOnPeer: false,
    };
    expect(runnerOfFreeGroup(AA, 'files', v)).toBe('B');
    expect(runnerOfFreeGroup(AA, 'files', { ...v, peerCandidate: false })).toBe('A');
    expect(runnerOfFreeGroup(AA, 'db', { ...v, selfCandidate: false })).toBe('B');
    expect(runnerOfFreeGroup(AA, 'db', { ...v, releasedBy: 'A' })).toBe('B');
    expect(runnerOfFreeGroup(AA, 'files', { ...v, releasedBy: 'B' })).toBe('A');
    expect(runnerOfFreeGroup(AA, 'db', { ...v, selfCandidate: false, peerCandidate: false })).toBeNull();
  });

  it('keeps a free group off a controller where it failed, over release memory and home', () => {
    const v = {
      self: 'A' as const,
      selfCandidate: true,
      peerCandidate: true,
      releasedBy: undefined,
      failedOnSelf: false,
      failedOnPeer: false,
    };
    // db's home is A, but it failed on A: B runs it.
    expect(runnerOfFreeGroup(AA, 'db', { ...v, failedOnSelf: true })).toBe('B');
    // files' home is B, and B just released it, but it failed on B: A runs it.
    expect(runnerOfFreeGroup(AA, 'files', { ...v, failedOnPeer: true, releasedBy: 'A' })).toBe('A');
    // Failed on both: nobody starts it again until a failure expires or is cleared.
    expect(runnerOfFreeGroup(AA, 'db', { ...v, failedOnSelf: true, failedOnPeer: true })).toBeNull();
    // Failed here and the peer is no candidate: still nobody (no retry loop here).
    expect(runnerOfFreeGroup(AA, 'db', { ...v, failedOnSelf: true, peerCandidate: false })).toBeNull();
  });

  it('fails back the groups whose home is the peer, except those that failed there', () => {
    expect(failbackGroups(AA, 'A', ['db', 'files'])).toEqual(['files']);
    expect(failbackGroups(AS, 'B', ['db', 'files'])).toEqual(['db', 'files']);
    expect(failbackGroups(AS, 'B', ['db', 'files'], ['db'])).toEqual(['files']);
  });

  it('tie-break: more groups running fences first, then more home groups, then A; exactly one side first', () => {
    for (const [a, b] of [
      [0, 1],
      [1, 0],
      [1, 1],
      [2, 0],
      [0, 0],
    ] as const) {
      for (const cfg of [AA, AS]) {
        expect(fencesFirst(cfg, 'A', a, b)).not.toBe(fencesFirst(cfg, 'B', b, a));
      }
    }
    expect(fencesFirst(AS, 'B', 1, 0)).toBe(true);
    expect(fencesFirst(AS, 'A', 0, 0)).toBe(true);
  });
});

describe('lease timing', () => {
  const base = {
    intervalMs: 100,
    deadtimeMs: 1000,
    ioTimeoutMs: 300,
    stopBudgetMs: 500,
    watchdog: null,
  };
  it('waits past the isolated active self-fence: skew + the later of its verdict and its disk probe + stop budget', () => {
    // The verdict (deadtime + one check interval) is later than the probe (interval + 300).
    expect(minTakeoverWaitMs(base)).toBe(100 + (1000 + 100) + 500);
    expect(checkTakeoverWait(base, 1699)?.field).toBe('takeoverWaitMs');
    expect(checkTakeoverWait(base, 1700)).toBeUndefined();
    // A slow disk probe is what the active notices last.
    expect(minTakeoverWaitMs({ ...base, ioTimeoutMs: 3000 })).toBe(100 + (100 + 3000) + 500);
  });
  it('with a watchdog, also waits past interval + watchdog timeout + margin', () => {
    const wd = { ...base, watchdog: { timeoutMs: 5000, marginMs: 500 } };
    expect(minTakeoverWaitMs(wd)).toBe(100 + 5000 + 500);
    // The margin is the board's: a softdog board states a smaller one.
    expect(minTakeoverWaitMs({ ...base, watchdog: { timeoutMs: 5000, marginMs: 100 } })).toBe(
      100 + 5000 + 100,
    );
    expect(checkTakeoverWait(wd, 2000)?.message).toMatch(/watchdog/);
  });
});
