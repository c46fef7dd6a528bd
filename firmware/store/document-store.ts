// A small JSON document on disk (config, settings), always validated: an
// invalid document is never written, and one read back is reported rather
// than trusted.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
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
  private readonly validate: Validator<T>;
  private readonly parse: Parser;

  constructor(path: string, validate: Validator<T>, parse: Parser = plainJson) {
    this.path = path;
    this.validate = validate;
    this.parse = parse;
  }

  async read(): Promise<ReadResult<T>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
      return { kind: 'invalid', errors: [`cannot read ${this.path}: ${(err as Error).message}`] };
    }
    const parsed = this.parse(text);
    if (!parsed.ok) return { kind: 'invalid', errors: [`${this.path}: ${parsed.error}`] };
    const v = this.validate(parsed.value);
    return v.ok ? { kind: 'ok', value: v.value } : { kind: 'invalid', errors: v.error };
  }

  /** Validate, then replace atomically. On any failure the old document stays. */
  async write(value: unknown): Promise<Result<T, string[]>> {
    const v = this.validate(value);
    if (!v.ok) return v;
    await mkdir(dirname(this.path), { recursive: true });
    await removeStrayTemps(this.path);
    await writeFileAtomic(this.path, JSON.stringify(v.value, null, 2) + '\n');
    return v;
  }
}
