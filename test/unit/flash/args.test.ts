// The flash command line: two positionals, required options, each once.
import { describe, expect, it } from 'vitest';
import { parseFlashArgs } from '../../../tools/flash/args.ts';

describe('parseFlashArgs', () => {
  it('takes IMAGE TARGET and the options', () => {
    expect(
      parseFlashArgs(['i.img', '/dev/sdb', '--controller', 'B', '--box', 'b1', '--force', '/dev/sdb']),
    ).toEqual({
      help: false,
      request: { image: 'i.img', target: '/dev/sdb', controller: 'B', box: 'b1', force: '/dev/sdb' },
    });
    expect(parseFlashArgs(['--help'])).toEqual({ help: true });
  });

  it('names what is wrong', () => {
    expect(() => parseFlashArgs(['i.img', '--controller', 'A', '--box', 'b'])).toThrow(
      /expected IMAGE and TARGET, got 1/,
    );
    expect(() => parseFlashArgs(['i.img', 't'])).toThrow(/missing --controller and --box/);
    expect(() => parseFlashArgs(['i', 't', '--controller', 'A', '--controller', 'B', '--box', 'b'])).toThrow(
      /--controller given twice/,
    );
    expect(() => parseFlashArgs(['i', 't', '--controller', 'A', '--box', 'b', '--colour', 'x'])).toThrow(
      /colour/,
    );
    expect(() => parseFlashArgs(['i', '', '--controller', 'A', '--box', 'b'])).toThrow(
      /TARGET: not a usable path/,
    );
  });
});
