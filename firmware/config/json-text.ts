// Parses a config document as JSON, refusing what JSON.parse lets through
// silently: a key given twice in one object (JSON.parse keeps the last, so a
// second "key" further down a file would win unseen) and nesting deeper than
// any config has. The scan runs only after JSON.parse accepted the text, so
// it needs no error handling of its own; it is one pass, bounded by the text.
import { err, ok, type Result } from '../core/result.ts';

/** A config is at most ~8 levels deep (groups/N/resources/N/garp/...); more is hostile. */
export const MAX_CONFIG_DEPTH = 32;

export interface JsonIssue {
  readonly path: string;
  readonly message: string;
}

export function parseConfigJson(text: string): Result<unknown, JsonIssue> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return err({ path: '/', message: `not valid JSON: ${(e as Error).message}` });
  }
  const problem = scan(text);
  return problem === undefined ? ok(value) : err(problem);
}

/** The first duplicate key or excess depth, named as a JSON pointer; undefined if none. */
function scan(text: string): JsonIssue | undefined {
  // One frame per open container: the keys seen so far (objects) or the next
  // index (arrays), and the pointer to it.
  const frames: { keys: Set<string> | undefined; index: number; pointer: string; key: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      const top = frames.at(-1);
      let j = end;
      while (j < text.length && ' \t\n\r'.includes(text[j] ?? '')) j++;
      if (top?.keys !== undefined && text[j] === ':') {
        const key = JSON.parse(text.slice(i, end)) as string;
        if (top.keys.has(key))
          return { path: `${top.pointer}/${escape(key)}`, message: 'is given twice (only one may stay)' };
        top.keys.add(key);
        top.key = key;
      }
      i = end;
      continue;
    }
    if (c === '{' || c === '[') {
      const parent = frames.at(-1);
      const pointer =
        parent === undefined
          ? ''
          : `${parent.pointer}/${parent.keys === undefined ? String(parent.index) : escape(parent.key)}`;
      if (frames.length >= MAX_CONFIG_DEPTH)
        return { path: pointer || '/', message: `is nested deeper than ${MAX_CONFIG_DEPTH} levels` };
      frames.push({ keys: c === '{' ? new Set() : undefined, index: 0, pointer, key: '' });
    } else if (c === '}' || c === ']') {
      frames.pop();
    } else if (c === ',') {
      const top = frames.at(-1);
      if (top !== undefined && top.keys === undefined) top.index += 1;
    }
    i++;
  }
  return undefined;
}

/** Index just past the string literal that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** A key as a JSON pointer segment (RFC 6901). */
function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
