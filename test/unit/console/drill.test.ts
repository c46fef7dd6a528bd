// tandemctl's failover drill (firmware/console/drill-report.ts): `drill`
// follows the drill to its report, a line per step; the report as text;
// `drill status` and a refusal through tandemctl's main.
import { describe, expect, it } from 'vitest';
import { drillText, followDrill, reportText } from '../../../firmware/console/drill-report.ts';
import { main } from '../../../firmware/console/run.ts';
import type { CommandResponse } from '../../../firmware/core/envelope.ts';
import type { DrillReport } from '../../../firmware/drill/report.ts';
import { capturedIo } from './captured-io.ts';

const REPORT: DrillReport = {
  id: '0123456789abcdef',
  by: 'A',
  actor: 'tandemctl',
  firmwareVersion: '1.0.0',
  startedAt: 0,
  endedAt: 60_000,
  result: 'passed',
  preflight: [{ check: 'both healthy', ok: true, detail: 'A and B could each take over from the other' }],
  steps: [
    {
      kind: 'switchover',
      subject: 'db',
      ok: true,
      detail: 'db A -> B: the service was away for 2300 ms',
      phases: [
        { name: 'stop', ms: 800, on: 'A' },
        { name: 'release', ms: 300, on: 'A' },
        { name: 'mounted', ms: 400, on: 'B' },
        { name: 'pause', ms: 2300, on: 'A' },
      ],
    },
  ],
  previous: { id: 'fedcba9876543210', startedAt: 0 },
  slower: [{ phase: 'switchover db stop', previousMs: 400, ms: 800 }],
};

const ok = (data: unknown): CommandResponse => ({ status: 'ok', data, error: null, transaction: 't' });

describe('tandemctl drill', () => {
  it('prints the report an auditor keeps: preflight, phases with their clocks, the slower ones', () => {
    const text = reportText(REPORT, false) ?? '';
    expect(text).toMatch(/^drill 0123456789abcdef on A by tandemctl, .*: PASSED \(1 of 1 steps passed\)$/m);
    expect(text).toContain('compared with drill fedcba9876543210 of ');
    expect(text).toContain('1 phases more than 50 % slower');
    expect(text).toMatch(/both healthy +ok +A and B could each take over from the other/);
    expect(text).toContain('stop 800 ms (A), release 300 ms (A), mounted 400 ms (B), pause 2300 ms (A)');
    expect(text).toMatch(/switchover db stop +400 ms +800 ms/);
  });

  it('follows a drill a line per step, then prints the report; passed is exit 0', async () => {
    const answers = [
      ok({ drill: { id: 'x', state: 'running', lines: ['preflight passed', 'switchover db A -> B ...'] } }),
      ok({ drill: { id: 'x', state: 'running', lines: ['preflight passed', 'ok switchover db: moved'] } }),
      ok({
        drill: {
          id: 'x',
          state: 'passed',
          lines: ['preflight passed', 'ok switchover db: moved'],
          report: REPORT,
        },
      }),
    ];
    const out: string[] = [];
    const end = await followDrill({
      status: () => Promise.resolve(answers.shift() ?? ok(null)),
      out: (t) => out.push(t),
      err: (t) => out.push(`ERR ${t}`),
      color: false,
      json: false,
      signal: new AbortController().signal,
      sleep: () => Promise.resolve(),
    });
    expect(end).toBe(0);
    expect(out.slice(0, 2)).toEqual(['preflight passed', 'ok switchover db: moved']);
    expect(out[2]).toContain('PASSED');
  });

  it('a failed drill is exit 1; --json prints the last answer whole', async () => {
    const failed = { ...REPORT, result: 'failed' as const };
    const out: string[] = [];
    const end = await followDrill({
      status: () => Promise.resolve(ok({ drill: { id: 'x', state: 'failed', lines: [], report: failed } })),
      out: (t) => out.push(t),
      err: (t) => out.push(`ERR ${t}`),
      color: false,
      json: true,
      signal: new AbortController().signal,
      sleep: () => Promise.resolve(),
    });
    expect(end).toBe(1);
    expect(JSON.parse(out[0] ?? '')).toMatchObject({
      status: 'ok',
      data: { drill: { report: { result: 'failed' } } },
    });
  });

  it('a refusal is printed and is exit 1; drill status prints the last report', async () => {
    const io = capturedIo();
    const refused = await main(['drill'], {
      ...io,
      send: () =>
        Promise.resolve({
          status: 'error',
          data: null,
          error: 'drill refused, nothing moved: peer reachable: B did not answer',
          transaction: 't',
        }),
    });
    expect(refused).toBe(1);
    expect(io.stderr).toEqual([
      'tandemctl: drill: drill refused, nothing moved: peer reachable: B did not answer',
    ]);
    const io2 = capturedIo();
    const code = await main(['drill', 'status'], {
      ...io2,
      send: () => Promise.resolve(ok({ drill: null, last: REPORT })),
    });
    expect(code).toBe(0);
    expect(io2.stdout.join('\n')).toContain('drill 0123456789abcdef on A');
    expect(drillText({ drill: null, last: null }, false)).toBe('no drill has run on this controller');
  });
});
