// The takeover bench's --loads (the pgbench rates of its crash curve) and
// --writes-s (how long pgbench writes before each crash).
import { describe, expect, it } from 'vitest';
import { parseLoads, parseWritesS } from '../../../tools/bench/takeover.ts';

describe('takeover bench --loads', () => {
  it('reads a comma-separated list of rates, and none from an empty one', () => {
    expect(parseLoads('200,1000')).toEqual([200, 1000]);
    expect(parseLoads(' 50 ')).toEqual([50]);
    expect(parseLoads('')).toEqual([]);
  });

  it('refuses what is not a positive whole rate, naming the option', () => {
    for (const bad of ['0', '-5', '1.5', 'fast', '200,,1000', '1e9'])
      expect(() => parseLoads(bad), bad).toThrow(/--loads/);
  });

  it("--writes-s takes whole seconds within pgbench's run, naming the option otherwise", () => {
    expect(parseWritesS('10')).toBe(10);
    expect(parseWritesS('540')).toBe(540);
    for (const bad of ['0', '541', '2.5', '', 'long'])
      expect(() => parseWritesS(bad), bad).toThrow(/--writes-s/);
  });
});
