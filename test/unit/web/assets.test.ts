// The page's files from source (types stripped at start) and from the
// emitted tree (already JavaScript, served under the names the imports use).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripTypeScriptTypes } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_DIR, loadAssets } from '../../../firmware/web/assets.ts';

const dirs: string[] = [];
function clientDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-assets-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const SOURCE = "import { run } from './api.ts';\nexport const n: number = run();\n";

describe('loadAssets', () => {
  it('strips the types of the client source and serves it as JavaScript under its own name', () => {
    const dir = clientDir({
      'app.ts': SOURCE,
      'app.test.ts': SOURCE,
      'index.html': '<p>x</p>',
      'notes.txt': 'no',
    });
    const assets = loadAssets(dir, false);
    expect([...assets.keys()].sort()).toEqual(['app.ts', 'index.html']);
    const app = assets.get('app.ts');
    expect(app?.type).toBe('text/javascript; charset=utf-8');
    expect(app?.body.toString()).toBe(stripTypeScriptTypes(SOURCE));
    expect(app?.body.toString()).not.toContain(': number');
  });

  it('serves the prebuilt .js as is, under the .ts name its importers use, and no TypeScript', () => {
    const built = stripTypeScriptTypes(SOURCE);
    const dir = clientDir({
      'app.js': built,
      'stray.ts': SOURCE,
      'style.css': 'p{}',
      'index.html': '<p>x</p>',
    });
    const assets = loadAssets(dir, true);
    expect([...assets.keys()].sort()).toEqual(['app.ts', 'index.html', 'style.css']);
    expect(assets.get('app.ts')?.body.toString()).toBe(built);
    expect(assets.get('app.ts')?.type).toBe('text/javascript; charset=utf-8');
    expect(assets.get('app.ts')?.etag).toBe(
      loadAssets(clientDir({ 'app.ts': SOURCE }), false).get('app.ts')?.etag,
    );
  });

  it('loads the real client from source with index.html and its entry module', () => {
    const assets = loadAssets(CLIENT_DIR, false);
    expect(assets.has('index.html')).toBe(true);
    expect(assets.has('app.ts')).toBe(true);
    expect(assets.has('tsconfig.json')).toBe(false);
  });
});
