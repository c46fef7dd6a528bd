// One log row per interval, however many refusals.
import { describe, expect, it } from 'vitest';
import { RefusalSummary } from '../../../firmware/core/refusal-summary.ts';

describe('RefusalSummary', () => {
  it('writes the first refusal at once, counts the rest, and summarises them once per interval', () => {
    let now = 0;
    const rows: string[] = [];
    const s = new RefusalSummary({
      intervalMs: 60_000,
      now: () => now,
      write: (l) => rows.push(l),
      what: 'requests',
    });
    s.note('unauthorised: bad signature');
    for (let i = 0; i < 10_000; i++)
      s.note(i % 2 === 0 ? 'unauthorised: bad signature' : 'request: not valid JSON');
    expect(rows).toEqual(['unauthorised: bad signature']);
    now = 60_000;
    s.flush();
    expect(rows).toHaveLength(2);
    expect(rows[1]).toBe(
      '10000 more requests refused within 60 s (unauthorised 5000, request 5000); the last: request: not valid JSON',
    );
    expect(s.total).toBe(10_001);
    s.flush();
    expect(rows).toHaveLength(2);
    // A quiet spell later, the next refusal is written at once again.
    now = 200_000;
    s.note('args.on: must be true or false');
    expect(rows.at(-1)).toBe('args.on: must be true or false');
  });

  it('keeps at most 16 kinds', () => {
    const rows: string[] = [];
    const s = new RefusalSummary({ intervalMs: 1000, now: () => 0, write: (l) => rows.push(l), what: 'x' });
    for (let i = 0; i < 100; i++) s.note(`kind${i}: r`);
    s.flush();
    expect((rows[1] ?? '').match(/kind\d+ 1/g)).toHaveLength(16);
    expect(rows[1]).toContain('other 83');
  });
});
