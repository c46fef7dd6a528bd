import { describe, expect, it } from 'vitest';
import {
  MAX_GENERATION,
  boxPrefix,
  decodeKey,
  formatKey,
  makeKey,
  nextGeneration,
  ownerOf,
} from '../../../firmware/fencing/keys.ts';

describe('reservation key scheme', () => {
  const p = boxPrefix('tandem');

  it('packs box prefix | controller | generation and decodes it back', () => {
    const k = makeKey(p, 'A', 7);
    expect(formatKey(k)).toBe(`0x${p.toString(16).padStart(8, '0')}41000007`);
    expect(decodeKey(k)).toEqual({ prefix: p, controller: 'A', generation: 7 });
  });

  it('the prefix is the first 4 bytes of sha256(box id)', () => {
    // sha256("tandem") starts 7186b6e1 (sha256sum of the 6 bytes).
    expect(p).toBe(0x7186b6e1);
    expect(boxPrefix('box-1')).not.toBe(boxPrefix('box-2'));
  });

  it('classifies keys as ours, peer or foreign', () => {
    expect(ownerOf(makeKey(p, 'A', 1), p, 'A')).toBe('ours');
    expect(ownerOf(makeKey(p, 'B', 1), p, 'A')).toBe('peer');
    expect(ownerOf(makeKey(boxPrefix('other'), 'B', 1), p, 'A')).toBe('foreign');
    expect(ownerOf(0x1234n, p, 'A')).toBe('foreign');
    expect(ownerOf(makeKey(p, 'A', 1) & ~0xffffffn, p, 'A')).toBe('foreign'); // generation 0
  });

  it('next generation skips every generation of ours still on the LUN and wraps', () => {
    expect(nextGeneration([], p, 'A')).toBe(1);
    expect(nextGeneration([makeKey(p, 'A', 3), makeKey(p, 'B', 9)], p, 'A')).toBe(4);
    expect(nextGeneration([makeKey(p, 'A', 1)], p, 'A', 5)).toBe(6);
    expect(nextGeneration([makeKey(p, 'A', MAX_GENERATION), makeKey(p, 'A', 1)], p, 'A')).toBe(2);
  });

  it('rejects out-of-range fields', () => {
    expect(() => makeKey(p, 'A', 0)).toThrow(RangeError);
    expect(() => makeKey(p, 'A', MAX_GENERATION + 1)).toThrow(RangeError);
    expect(() => makeKey(-1, 'A', 1)).toThrow(RangeError);
    expect(() => boxPrefix('')).toThrow(RangeError);
  });
});
