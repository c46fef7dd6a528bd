// Progress on stderr: a redrawn line on a terminal, a plain line per 10% otherwise.
import { describe, expect, it } from 'vitest';
import { Progress } from '../../../tools/flash/progress.ts';

function sink(isTTY: boolean): { isTTY: boolean; text: string[]; write(t: string): boolean } {
  return {
    isTTY,
    text: [],
    write(t) {
      this.text.push(t);
      return true;
    },
  };
}

describe('Progress', () => {
  it('prints one plain line per 10% when not on a terminal', () => {
    const s = sink(false);
    const p = new Progress('write', 1000, s);
    for (let done = 0; done <= 1000; done += 25) p.update(done);
    p.done();
    expect(s.text).toHaveLength(10);
    expect(s.text[0]).toMatch(/^write: {2}10% {2}0\.0\/0\.0 MB {2}[\d.]+ MB\/s\n$/);
    expect(s.text[9]).toMatch(/^write: 100%/);
  });

  it('redraws one line on a terminal and ends it', () => {
    const s = sink(true);
    const p = new Progress('verify', 4_000_000, s);
    p.update(1_000_000);
    p.done();
    expect(s.text[0]).toMatch(/^\rverify: {2}25% {2}1\.0\/4\.0 MB/);
    expect(s.text.at(-2)).toMatch(/^\rverify: 100% {2}4\.0\/4\.0 MB/);
    expect(s.text.at(-1)).toBe('\n');
  });
});
