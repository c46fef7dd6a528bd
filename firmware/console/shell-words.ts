// A shell line -> the words tandemctl would get as its argv: split at
// blanks, with 'single' and "double" quotes and backslash escapes, as sh does
// for plain words (no variables, globs or substitutions: nothing here runs a
// program). Pure, and bounded before it looks at the line.
import { LIMITS } from '../core/limits.ts';
import type { Result } from '../core/result.ts';
import { MAX_LINE_CHARS } from './terminal.ts';

export function splitWords(line: string): Result<string[], string> {
  if (line.length > MAX_LINE_CHARS)
    return { ok: false, error: `line: longer than the ${MAX_LINE_CHARS}-character limit` };
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] ?? '';
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
    } else if (ch === '\\' && i + 1 < line.length) {
      // Inside double quotes only \" and \\ are escapes, as in sh.
      const next = line[i + 1] ?? '';
      if (quote === '"' && next !== '"' && next !== '\\') word += ch;
      else i += 1;
      word += next;
      inWord = true;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
    if (words.length > LIMITS.cli.words)
      return { ok: false, error: `line: more than the ${LIMITS.cli.words}-word limit` };
  }
  if (quote !== null) return { ok: false, error: `line: the ${quote} quote is not closed` };
  if (inWord) words.push(word);
  if (words.length > LIMITS.cli.words)
    return { ok: false, error: `line: more than the ${LIMITS.cli.words}-word limit` };
  return { ok: true, value: words };
}
