// The campaign's arguments are outside input: bounded, checked, and a bad one
// named in the error.
import { describe, expect, it } from 'vitest';
import { UsageError, parseCampaignArgs } from '../../../tools/campaign/args.ts';
import { LAB_TIMING } from '../../../firmware/cluster/timing.ts';

const CLOCK = 424242;

describe('campaign arguments', () => {
  it('takes --faults N with a seed, or the clock seed', () => {
    expect(parseCampaignArgs(['--faults', '30', '--seed', '7'], CLOCK)).toEqual({
      seed: 7,
      from: 0,
      count: 30,
      replay: false,
      outDir: 'campaign-report',
      timing: LAB_TIMING,
    });
    expect(parseCampaignArgs(['--faults', '1000'], CLOCK).seed).toBe(CLOCK);
    expect(parseCampaignArgs(['--faults', '1', '--out', '/tmp/r'], CLOCK).outDir).toBe('/tmp/r');
  });

  it("takes --timing I/W/D for the pair, the lab configs' heartbeat otherwise", () => {
    expect(parseCampaignArgs(['--faults', '3', '--timing', '50/300/500'], CLOCK).timing).toEqual({
      intervalMs: 50,
      warntimeMs: 300,
      deadtimeMs: 500,
    });
    expect(
      parseCampaignArgs(['--replay', '7', '--from', '1', '--timing', '50/300/500'], CLOCK).timing,
    ).toEqual({
      intervalMs: 50,
      warntimeMs: 300,
      deadtimeMs: 500,
    });
    expect(() => parseCampaignArgs(['--faults', '3', '--timing', '500/300/50'], CLOCK)).toThrow(UsageError);
    expect(() => parseCampaignArgs(['--faults', '3', '--timing', 'fast'], CLOCK)).toThrow(/--timing/);
  });

  it('takes --replay SEED --from STEP, one step unless --faults says more', () => {
    expect(parseCampaignArgs(['--replay', '7', '--from', '12'], CLOCK)).toMatchObject({
      seed: 7,
      from: 12,
      count: 1,
      replay: true,
    });
    expect(parseCampaignArgs(['--replay', '7', '--from', '12', '--faults', '988'], CLOCK).count).toBe(988);
  });

  it.each([
    [[], /--faults N is required/],
    [['--faults'], /--faults needs a value/],
    [['--faults', '0'], /--faults must be 1\.\.10000, got 0/],
    [['--faults', '10001'], /--faults must be 1\.\.10000/],
    [['--faults', '1e3'], /--faults needs an integer/],
    [['--faults', '-5'], /--faults needs an integer 1..10000, got "-5"/],
    [['--faults', ' 5'], /--faults needs an integer/],
    [['--faults', '5', '--seed', '2147483648'], /--seed must be 0\.\.2147483647/],
    [['--faults', '5', '--seed', 'abc'], /--seed needs an integer/],
    [['--faults', '5', '--faults', '6'], /--faults given twice/],
    [['--faults', '5', '--speed', '1'], /unknown argument "--speed"/],
    [['--faults', '5', '--from', '3'], /--from is only for --replay/],
    [['--replay', '7'], /--replay needs --from STEP/],
    [['--replay', '7', '--seed', '7', '--from', '1'], /--seed and --replay/],
    [['--replay', '7', '--from', '9999', '--faults', '2'], /--faults must be 1\.\.1/],
    [['--replay', 'x', '--from', '1'], /--replay needs an integer/],
    [['--faults', '5', '--out', ''], /--out needs a directory/],
    [Array.from({ length: 14 }, () => '--faults'), /too many arguments/],
  ])('rejects %j', (argv, msg) => {
    expect(() => parseCampaignArgs(argv, CLOCK)).toThrow(UsageError);
    expect(() => parseCampaignArgs(argv, CLOCK)).toThrow(msg);
  });
});
