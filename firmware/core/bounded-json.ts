// JSON from untrusted bytes, bounded before it is parsed: the byte size
// first (before decoding), then one iterative pass over the text that
// counts nesting depth and the entries of each object and array, and only
// then JSON.parse. The pass keeps one counter per open level in a fixed
// array sized by the depth limit, so a hostile document (10 KB of '[' or a
// million keys) costs one linear scan and never recursion or unbounded
// memory. Every refusal names the limit it hit.
import type { JsonLimits } from './limits.ts';
import type { Result } from './result.ts';

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Why `text` exceeds `limits` in depth or entries, or null when within them. */
export function jsonShapeProblem(text: string, limits: JsonLimits, what: string): string | null {
  // commas[d]: separators seen so far in the container open at depth d.
  const commas = new Uint32Array(limits.depth + 1);
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > limits.depth) return `${what}: nested deeper than the ${limits.depth}-level limit`;
      commas[depth] = 0;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      // An unmatched closer is invalid JSON; say so rather than count below zero.
      if (--depth < 0) return `${what}: not valid JSON (unexpected '${String.fromCharCode(c)}')`;
    } else if (c === COMMA && depth > 0) {
      const entries = (commas[depth] ?? 0) + 2;
      if (entries > limits.entries)
        return `${what}: more than the ${limits.entries}-entry limit in one object or array`;
      commas[depth] = entries - 1;
    }
  }
  return null;
}

/** Byte size, then shape, then JSON.parse: the parsed value or why it was refused. */
export function parseBoundedJson(
  input: string | Uint8Array,
  limits: JsonLimits,
  what: string,
): Result<unknown, string> {
  const bytes = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (bytes > limits.bytes)
    return { ok: false, error: `${what}: ${bytes} bytes is over the ${limits.bytes}-byte limit` };
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  const shape = jsonShapeProblem(text, limits, what);
  if (shape !== null) return { ok: false, error: shape };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: `${what}: not valid JSON (${(err as Error).message})` };
  }
}
