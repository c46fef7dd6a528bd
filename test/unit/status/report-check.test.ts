// The report as the panels read it: the rolling upgrade part. Absent (older
// firmware) and null are fine; a malformed one is left out with a named
// reason, and the rest of the report is used.
import { describe, expect, it } from 'vitest';
import { parseReport, upgradeProblem, type CheckedReport } from '../../../firmware/status/report-check.ts';
import { status } from '../panel/fixture.ts';

const UPGRADE = {
  step: 'install-first',
  version: '0.2.0',
  from: '0.1.0',
  first: 'B',
  second: 'A',
  percent: 42,
  detail: ['installing 0.2.0 on B'],
  startedAt: 1_000,
  updatedAt: 2_000,
};

function bytes(extra: Record<string, unknown>): Buffer {
  const report: CheckedReport = { ...status(), takeover: [{ by: 'A', from: 'B', possible: true, why: [] }] };
  return Buffer.from(JSON.stringify({ ...report, ...extra }));
}

function parsed(extra: Record<string, unknown>): CheckedReport {
  const r = parseReport(bytes(extra));
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('report check: upgrade', () => {
  it('an absent upgrade (older firmware) and a null one are fine', () => {
    const old = parsed({});
    expect(old.upgrade).toBeUndefined();
    expect(old.ignored).toBeUndefined();
    expect(parsed({ upgrade: null }).upgrade).toBeNull();
  });

  it('a well-formed upgrade comes through as is', () => {
    const r = parsed({ upgrade: UPGRADE });
    expect(r.upgrade).toEqual(UPGRADE);
    expect(r.ignored).toBeUndefined();
    expect(parsed({ upgrade: { ...UPGRADE, version: null, percent: null } }).upgrade?.version).toBeNull();
  });

  const BAD: [string, unknown][] = [
    ['upgrade is not an object', 'yes'],
    ['upgrade is not an object', [UPGRADE]],
    ['upgrade.step is not a step', { ...UPGRADE, step: 'rebooting' }],
    ['upgrade.version is not a string or null', { ...UPGRADE, version: 2 }],
    ['upgrade.from is not a string', { ...UPGRADE, from: undefined }],
    ['upgrade.version is too long', { ...UPGRADE, version: 'x'.repeat(65) }],
    ['upgrade.first or second is not A or B', { ...UPGRADE, second: 'C' }],
    ['upgrade.percent is not 0..100 or null', { ...UPGRADE, percent: 101 }],
    ['upgrade.percent is not 0..100 or null', { ...UPGRADE, percent: '42' }],
    ['upgrade.detail is not a list', { ...UPGRADE, detail: 'x' }],
    ['upgrade.detail is not a list', { ...UPGRADE, detail: Array(17).fill('x') }],
    ['upgrade.detail holds a bad line', { ...UPGRADE, detail: [1] }],
    ['upgrade.detail holds a bad line', { ...UPGRADE, detail: ['x'.repeat(401)] }],
    ['upgrade.startedAt or updatedAt is not a number', { ...UPGRADE, updatedAt: null }],
  ];

  it.each(BAD)('a malformed upgrade is left out, the rest used: %s', (why, upgrade) => {
    expect(upgradeProblem(upgrade)).toBe(why);
    const r = parsed({ upgrade });
    expect(r.upgrade).toBeNull();
    expect(r.ignored).toBe(why);
    expect(r.boxId).toBe('box-7');
  });

  it('a report otherwise malformed is still refused as before', () => {
    const r = parseReport(bytes({ upgrade: UPGRADE, state: 'rebooting' }));
    expect(r.ok).toBe(false);
  });
});
