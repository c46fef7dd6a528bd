import { describe, expect, it } from 'vitest';
import { statusChecks } from '../../../firmware/upgrade/health.ts';
import { report } from './fixtures.ts';

describe('statusChecks: the health check on one status report', () => {
  it('a healthy controller passes', () => {
    expect(statusChecks(report('B'))).toEqual([]);
  });

  it('a peer not heard fails, naming the peer and its state', () => {
    const f = statusChecks(report('B', { peerState: 'dead' }));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatch(/peer A.*not heard.*dead/);
  });

  it('no shared disk fails', () => {
    expect(statusChecks(report('A', { diskAccess: false }))).toEqual([expect.stringMatching(/shared disk/)]);
  });

  it('a group failed on this controller fails; failed on the peer only does not', () => {
    const groups = [
      { name: 'db', preferred: 'A', owner: 'A', state: 'running', failedOn: ['B'] },
      { name: 'web', preferred: 'B', owner: 'A', state: 'running', failedOn: ['A'] },
    ] as const;
    expect(statusChecks(report('A', { groups }))).toEqual(['group web failed on this controller']);
    expect(statusChecks(report('B', { groups }))).toEqual(['group db failed on this controller']);
  });

  it('a takeover by this controller that is impossible fails, with its reasons; the peer taking over is not checked', () => {
    const takeover = [
      { by: 'A', from: 'B', possible: false, why: ['no path to the disk', 'fenced'] },
      { by: 'B', from: 'A', possible: false, why: ['whatever'] },
    ] as const;
    expect(statusChecks(report('A', { takeover }))).toEqual([
      'could not take over from B: no path to the disk; fenced',
    ]);
    expect(
      statusChecks(report('A', { takeover: [{ by: 'A', from: 'B', possible: false, why: [] }] })),
    ).toEqual(['could not take over from B: refused']);
  });

  it('every failing check is listed', () => {
    const f = statusChecks(
      report('A', {
        peerState: 'suspect',
        diskAccess: false,
        groups: [{ name: 'g', preferred: 'A', owner: null, state: 'failed', failedOn: ['A'] }],
      }),
    );
    expect(f).toHaveLength(3);
  });
});
