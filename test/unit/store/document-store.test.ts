import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeStrayTemps, writeFileAtomic } from '../../../firmware/store/atomic-file.ts';
import type { Result } from '../../../firmware/core/result.ts';
import { DocumentStore } from '../../../firmware/store/document-store.ts';

interface Doc {
  n: number;
}
function validateDoc(v: unknown): Result<Doc, string[]> {
  if (typeof v === 'object' && v !== null && typeof (v as Doc).n === 'number')
    return { ok: true, value: v as Doc };
  return { ok: false, error: ['/n: must be a number'] };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('DocumentStore', () => {
  it('reads missing, then what was written', async () => {
    const store = new DocumentStore(join(dir, 'sub', 'doc.json'), validateDoc);
    expect(await store.read()).toEqual({ kind: 'missing' });
    expect((await store.write({ n: 1 })).ok).toBe(true);
    expect(await store.read()).toEqual({ kind: 'ok', value: { n: 1 } });
  });

  it('refuses an invalid document and keeps the previous one', async () => {
    const store = new DocumentStore(join(dir, 'doc.json'), validateDoc);
    await store.write({ n: 1 });
    const r = await store.write({ n: 'two' });
    expect(r).toEqual({ ok: false, error: ['/n: must be a number'] });
    expect(await store.read()).toEqual({ kind: 'ok', value: { n: 1 } });
  });

  it('keeps the previous document when an interrupted write left a tmp file, and cleans it up', async () => {
    const path = join(dir, 'doc.json');
    const store = new DocumentStore(path, validateDoc);
    await store.write({ n: 1 });
    // What a crash between write and rename leaves behind: a half tmp file.
    writeFileSync(join(dir, '.doc.json.tmp-999-1'), '{"n": 2');
    expect(await store.read()).toEqual({ kind: 'ok', value: { n: 1 } });
    await store.write({ n: 3 });
    expect(readdirSync(dir)).toEqual(['doc.json']);
    expect(await store.read()).toEqual({ kind: 'ok', value: { n: 3 } });
  });

  it('reports a corrupt or invalid file instead of trusting it', async () => {
    const path = join(dir, 'doc.json');
    writeFileSync(path, '{"n": ');
    const store = new DocumentStore(path, validateDoc);
    const r = await store.read();
    expect(r.kind).toBe('invalid');
    writeFileSync(path, '{"n": "x"}');
    expect(await store.read()).toEqual({ kind: 'invalid', errors: ['/n: must be a number'] });
  });

  it('leaves the target untouched when the write itself fails', async () => {
    const path = join(dir, 'doc.json');
    await writeFileAtomic(path, 'old');
    // Renaming a file over a directory fails; the temp file must not linger.
    await expect(writeFileAtomic(dir, 'new')).rejects.toThrow();
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(await removeStrayTemps(dir)).toEqual([]);
  });
});
