// The command's body: a bad argument is named and exits 2 before any box is
// touched; a violation prints its seed, step and replay command; RESULT last.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { campaignMain } from '../../../tools/campaign/main.ts';
import { FakeBox } from './fake-executor.ts';

describe('campaign command', () => {
  afterEach(() => vi.restoreAllMocks());

  it('names a bad argument and exits 2 without touching the box', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((s: string) => void errors.push(s));
    const executor = vi.fn(() => Promise.resolve(new FakeBox()));
    expect(await campaignMain(['--faults', 'many'], { executor, groups: ['db'], now: () => 5 })).toBe(2);
    expect(errors[0]).toContain('campaign: --faults needs an integer 1..10000, got "many"');
    expect(errors[0]).toContain('usage: npm run campaign');
    expect(executor).not.toHaveBeenCalled();
  });

  it('prints each violation with the seed, the step and the replay command, then RESULT last; exits 1', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
    const dir = await mkdtemp(join(tmpdir(), 'campaign-'));
    try {
      const code = await campaignMain(['--faults', '40', '--seed', '1203', '--out', dir], {
        executor: () => Promise.resolve(new FakeBox({ moveOnCut: true })),
        groups: ['db'],
        now: () => 5,
      });
      expect(code).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const violation = out.find((l) => l.startsWith('VIOLATION false_failover seed 1203 step '));
    expect(violation).toMatch(/replay: npm run campaign -- --replay 1203 --from \d+ --faults \d+$/);
    expect(out.at(-1)).toMatch(/^RESULT \{"bench":"campaign","faults":40,.*"seed":1203\}$/);
  });

  it('takes the clock for a seed when none is given, and exits 0 on a clean run', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
    const dir = await mkdtemp(join(tmpdir(), 'campaign-'));
    try {
      const code = await campaignMain(['--faults', '5', '--out', dir], {
        executor: () => Promise.resolve(new FakeBox()),
        groups: ['db'],
        now: () => 2 ** 31 + 7,
      });
      expect(code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(out[0]).toBe('campaign: seed 7, steps 0..4, heartbeat 100/600/1000 ms');
    expect(out.at(-1)).toContain('"violations":0');
  });
});
