// The bounded JSON parser: size before decoding, shape without recursion,
// and every refusal naming its limit.
import { describe, expect, it } from 'vitest';
import { jsonShapeProblem, parseBoundedJson } from '../../../firmware/core/bounded-json.ts';

const L = { bytes: 1024, depth: 4, entries: 3 };

describe('parseBoundedJson', () => {
  it('parses what is within every limit', () => {
    expect(parseBoundedJson('{"a":[1,2,{"b":"x,[{"}],"c":null}', L, 'doc')).toEqual({
      ok: true,
      value: { a: [1, 2, { b: 'x,[{' }], c: null },
    });
    expect(parseBoundedJson(Buffer.from('[[["\\"]"]]]'), L, 'doc')).toEqual({ ok: true, value: [[['"]']]] });
  });

  it('refuses by byte size before decoding, naming the limit', () => {
    expect(parseBoundedJson(Buffer.alloc(1025, 0x20), L, 'doc')).toEqual({
      ok: false,
      error: 'doc: 1025 bytes is over the 1024-byte limit',
    });
    // Bytes, not characters: 400 three-byte characters are 1200 bytes.
    expect(parseBoundedJson(`"${'€'.repeat(400)}"`, L, 'doc')).toMatchObject({ ok: false });
  });

  it('refuses depth and width with the limit in the error', () => {
    expect(parseBoundedJson('[[[[[1]]]]]', L, 'doc')).toEqual({
      ok: false,
      error: 'doc: nested deeper than the 4-level limit',
    });
    expect(parseBoundedJson('{"a":1,"b":2,"c":3,"d":4}', L, 'doc')).toEqual({
      ok: false,
      error: 'doc: more than the 3-entry limit in one object or array',
    });
    // Entries count per container: three arrays of three are fine.
    expect(parseBoundedJson('[[1,2,3],[1,2,3],[1,2,3]]', L, 'doc')).toMatchObject({ ok: true });
  });

  it('scans 10 MB of nesting in linear time, without recursion', () => {
    const deep = '['.repeat(5_000_000) + ']'.repeat(5_000_000);
    const t0 = process.hrtime.bigint();
    expect(jsonShapeProblem(deep, { bytes: 1e9, depth: 64, entries: 10 }, 'doc')).toBe(
      'doc: nested deeper than the 64-level limit',
    );
    expect(Number(process.hrtime.bigint() - t0) / 1e6).toBeLessThan(500);
  });

  it('reports invalid JSON and unmatched closers as not valid JSON', () => {
    expect(parseBoundedJson('{"a":', L, 'doc')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^doc: not valid JSON/) as unknown,
    });
    expect(parseBoundedJson(']]]]][[[[[', L, 'doc')).toEqual({
      ok: false,
      error: "doc: not valid JSON (unexpected ']')",
    });
  });

  it('keeps "__proto__" a plain key, never the prototype', () => {
    const r = parseBoundedJson('{"__proto__":{"polluted":true}}', L, 'doc');
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
