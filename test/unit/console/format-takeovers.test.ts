import { describe, expect, it } from 'vitest';
import { formatData } from '../../../firmware/console/format.ts';
import { inUtc } from './utc-zone.ts';

inUtc();
const plain = { color: false, nowMs: Date.UTC(2026, 0, 2) };

describe('tandemctl takeovers', () => {
  it('prints one row per record with its phases', () => {
    const out = formatData(
      'takeovers',
      {
        takeovers: [
          {
            at: Date.UTC(2026, 0, 1, 12, 0, 0),
            kind: 'takeover',
            by: 'B',
            from: 'A',
            reason: 'A was silent',
            totalMs: 14_100,
            phases: [
              { name: 'detected', ms: 5000 },
              { name: 'fenced', ms: 6000 },
            ],
          },
        ],
      },
      plain,
    );
    const [head, row] = out.split('\n');
    expect(head).toMatch(/^WHEN\s+KIND\s+BY\s+FROM\s+TOTAL\s+PHASES\s+REASON$/);
    expect(row).toContain('takeover');
    expect(row).toContain('14.1 s');
    expect(row).toContain('detected 5.0 s, fenced 6.0 s');
    expect(row).toContain('A was silent');
    expect(formatData('takeovers', { takeovers: [] }, plain)).toMatch(/\(none\)$/);
  });
});
