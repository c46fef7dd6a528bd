import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineDiff, loadGolden, runGolden, saveGolden } from './golden-runner.ts';

const DIR = join(import.meta.dirname, 'golden');
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('golden failover scenarios', () => {
  it('has one file per documented case', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(10);
  });
  for (const name of FILES) {
    it(name, async () => {
      const path = join(DIR, name);
      const file = loadGolden(path);
      const { lines, owners, moves } = await runGolden(file);
      if (process.env['UPDATE_GOLDEN'] === '1') saveGolden(path, { ...file, expected: lines, moves });
      else if (lines.join('\n') !== file.expected.join('\n')) {
        expect.fail(`${name}: transitions differ (- expected, + actual)\n${lineDiff(file.expected, lines)}`);
      }
      expect(owners).toEqual(file.finalOwners);
      expect(moves).toEqual(file.moves ?? []);
    });
  }
});

// The same scenarios on an enclosure with tgt's PR quirks (a registration
// per session, no PREEMPT AND ABORT): the timeline may differ by the extra
// commands, but every group must end where it ends on SPC-4, after the same moves.
describe('golden failover scenarios on tgt', () => {
  for (const name of FILES) {
    it(name, async () => {
      const file = loadGolden(join(DIR, name));
      const { owners, moves } = await runGolden(file, 'tgt');
      expect(owners).toEqual(file.finalOwners);
      expect(moves).toEqual(file.moves ?? []);
    });
  }
});
