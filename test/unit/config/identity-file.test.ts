// The identity file the flash tool writes: bounded, strict, and every
// refusal names what is wrong.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseIdentity, readIdentityFile } from '../../../firmware/config/identity-file.ts';

const parse = (text: string) => parseIdentity(text, 'identity file X');

describe('identity file', () => {
  it('takes a controller and a box id', () => {
    expect(parse('{"controller":"A","box":"box-7"}')).toEqual({
      ok: true,
      value: { controller: 'A', box: 'box-7' },
    });
    expect(parse('{"box":"b","controller":"B"}')).toEqual({ ok: true, value: { controller: 'B', box: 'b' } });
  });

  it.each([
    ['', /identity file X: not valid JSON/],
    ['{"controller":"A",', /not valid JSON/],
    ['[]', /must be a JSON object/],
    ['"A"', /must be a JSON object/],
    ['{"controller":"A","box":{"id":"x"}}', /nested deeper than the 1-level limit/],
    ['{"box":"b"}', /controller is missing \(A or B\)/],
    ['{"controller":"C","box":"b"}', /controller must be "A" or "B", got "C"/],
    ['{"controller":"a","box":"b"}', /controller must be "A" or "B", got "a"/],
    ['{"controller":1,"box":"b"}', /controller must be "A" or "B", got 1/],
    ['{"controller":"A"}', /box is missing/],
    ['{"controller":"A","box":"BOX-ID"}', /box must be a box id .* got "BOX-ID"/],
    ['{"controller":"A","box":"-x"}', /box must be a box id/],
    ['{"controller":"A","box":""}', /box must be a box id/],
    [`{"controller":"A","box":"${'a'.repeat(64)}"}`, /box must be a box id/],
    ['{"controller":"A","box":7}', /box must be a box id .* got 7/],
    ['{"controller":"A","box":"b","slot":1}', /unknown key "slot" \(only controller and box\)/],
    [`{"controller":"A","box":"${'a'.repeat(2000)}"}`, /over the 1024-byte limit/],
  ])('refuses %j, naming what is wrong', (text, why) => {
    const r = parse(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(why);
  });

  it('shows no control characters from the file', () => {
    const r = parse('{"controller":"\\u001b[2J","box":"b"}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).not.toContain(String.fromCharCode(27));
  });

  describe('on disk', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'identity-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('is null when there is no file, and names the file when it is bad', () => {
      expect(readIdentityFile(join(dir, 'none.json'))).toEqual({ ok: true, value: null });
      const file = join(dir, 'identity.json');
      writeFileSync(file, '{"controller":"Z","box":"b"}');
      const r = readIdentityFile(file);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toContain(`identity file ${file}: controller must be`);
    });

    it('reads no more than its limit of a huge file', () => {
      const file = join(dir, 'identity.json');
      writeFileSync(file, ' '.repeat(1 << 20));
      const r = readIdentityFile(file);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/more than the 1024-byte limit/);
    });
  });
});
