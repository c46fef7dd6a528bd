// What a failed start reports from the server log: the line that says why,
// with PostgreSQL's HINT (it names the pid of a postmaster in the way).
import { describe, expect, it } from 'vitest';
import { serverLogReason } from '../../../firmware/resources/agents/postgresql.ts';

describe('serverLogReason', () => {
  it('gives the last FATAL with the HINT that follows it', () => {
    const log = [
      '2026-12-04 11:49:26.817 UTC [18892] FATAL:  lock file "postmaster.pid" already exists',
      '2026-12-04 11:49:26.817 UTC [18892] HINT:  Is another postmaster (PID 18001) running in data directory "/d"?',
      '',
    ].join('\n');
    expect(serverLogReason(log)).toBe(
      '2026-12-04 11:49:26.817 UTC [18892] FATAL:  lock file "postmaster.pid" already exists (Is another postmaster (PID 18001) running in data directory "/d"?)',
    );
  });

  it('skips the lines after the failure, and falls back to the last line', () => {
    expect(
      serverLogReason('x\nLOG: a\n[1] PANIC: could not write\nLOG: database system is shut down\n'),
    ).toBe('[1] PANIC: could not write');
    expect(serverLogReason('LOG: starting\nLOG: ready\n')).toBe('LOG: ready');
    expect(serverLogReason('')).toBe('(empty)');
  });
});
