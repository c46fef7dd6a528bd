// A small JSON document on disk (config, settings), always validated: an
// invalid document is never written, and one read back is reported rather
// than trusted. Reads stop one byte past the size limit (core/bounded-read.ts),
// so a path naming /dev/zero or a huge file is refused without being read,
// and a write that would not fit the limit is refused, so whatever is stored
// can be read back.
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readFileBounded } from '../core/bounded-read.ts';
import { CONFIG_TEXT_BYTES } from '../core/limits.ts';
import type { Result } from '../core/result.ts';
import { removeStrayTemps, writeFileAtomic } from './atomic-file.ts';

/** Checks a document: its typed value, or what is wrong with it. */
export type Validator<T> = (value: unknown) => Result<T, string[]>;

/** Turns the file's text into a value; JSON.parse unless the owner is stricter. */
export type Parser = (text: string) => Result<unknown, string>;

const plainJson: Parser = (text) => {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
};

export type ReadResult<T> =
  { kind: 'ok'; value: T } | { kind: 'missing' } | { kind: 'invalid'; errors: string[] };

export class DocumentStore<T> {
  readonly path: string;
  /** The most bytes a document may have, on disk and when written. */
  readonly maxBytes: number;
  private readonly validate: Validator<T>;
  private readonly parse: Parser;
  private readonly encode: ((value: T) => unknown) | undefined;

  /**
   * `maxBytes`: the owner's limit (core/limits.ts); by default a config
   * document's. `encode`: what is written for a validated value, when that is
   * not the value itself (a config is written at its committed schema and
   * read in the current form); `validate` must read it back.
   */
  constructor(
    path: string,
    validate: Validator<T>,
    parse: Parser = plainJson,
    maxBytes: number = CONFIG_TEXT_BYTES,
    encode?: (value: T) => unknown,
  ) {
    this.path = path;
    this.validate = validate;
    this.parse = parse;
    this.maxBytes = maxBytes;
    this.encode = encode;
  }

  async read(): Promise<ReadResult<T>> {
    try {
      await stat(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
      return { kind: 'invalid', errors: [`cannot read ${this.path}: ${(err as Error).message}`] };
    }
    // At most maxBytes + 1 bytes are read, whatever the path names.
    const bytes = readFileBounded(this.path, this.maxBytes, this.path);
    if (!bytes.ok) return { kind: 'invalid', errors: [bytes.error] };
    const text = bytes.value.toString('utf8');
    const parsed = this.parse(text);
    if (!parsed.ok) return { kind: 'invalid', errors: [`${this.path}: ${parsed.error}`] };
    const v = this.validate(parsed.value);
    return v.ok ? { kind: 'ok', value: v.value } : { kind: 'invalid', errors: v.error };
  }

  /** Validate, then replace atomically. On any failure the old document stays. */
  async write(value: unknown): Promise<Result<T, string[]>> {
    const v = this.validate(value);
    if (!v.ok) return v;
    const text = JSON.stringify(this.encode === undefined ? v.value : this.encode(v.value), null, 2) + '\n';
    const size = Buffer.byteLength(text, 'utf8');
    if (size > this.maxBytes) {
      return {
        ok: false,
        error: [`${this.path}: ${size} bytes as stored, more than the ${this.maxBytes}-byte limit`],
      };
    }
    await mkdir(dirname(this.path), { recursive: true });
    await removeStrayTemps(this.path);
    await writeFileAtomic(this.path, text);
    return v;
  }
}
