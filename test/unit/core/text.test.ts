// Control characters stripped for terminals, the LCD and the event log.
import { describe, expect, it } from 'vitest';
import { stripControl, stripControlDeep } from '../../../firmware/core/text.ts';

describe('stripControl', () => {
  it('replaces C0, ESC, DEL, C1 and bidi controls with ?', () => {
    expect(stripControl('a\u001b[31mred\u0007\u007f\u009b\u202eb\nc')).toBe('a?[31mred????b?c');
    expect(stripControl('plain text, ünïcode €')).toBe('plain text, ünïcode €');
  });

  it('cleans every string of a JSON value, keys too, without touching the original', () => {
    const data = { 'k\u001b': ['x\u0000', { y: '\u009bz' }], n: 1, b: true, z: null };
    expect(stripControlDeep(data)).toEqual({ 'k?': ['x?', { y: '?z' }], n: 1, b: true, z: null });
    expect(data['k\u001b'][0]).toBe('x\u0000');
  });

  it('copes with deep nesting without recursion, and keeps __proto__ a plain key', () => {
    let deep: unknown = 'end\u001b';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    let out = stripControlDeep(deep);
    for (let i = 0; i < 100_000; i++) out = (out as unknown[])[0];
    expect(out).toBe('end?');
    const odd = stripControlDeep(JSON.parse('{"__proto__":{"polluted":"x"}}') as object);
    expect(Object.keys(odd)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
