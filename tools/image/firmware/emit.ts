// The firmware as JavaScript: TypeScript's own emitter over firmware/ and
// hal/ (tsconfig.build.json: relative .ts imports become .js), then the web
// client, which the emitter does not see (it is a browser project of its own).
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { extname, join } from 'node:path';
import { exec } from './exec.ts';

/** Emits firmware/ and hal/ under `appDir` (the image's /opt/tandem). */
export async function emitFirmware(repo: string, appDir: string): Promise<void> {
  const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  await exec(process.execPath, [tsc, '-p', join(repo, 'tsconfig.build.json'), '--outDir', appDir], repo);
  emitClient(join(repo, 'firmware', 'web', 'client'), join(appDir, 'firmware', 'web', 'client'));
}

/**
 * The browser's modules stripped file by file, exactly as firmware/web/assets.ts
 * strips them when it runs from source: their imports keep the .ts names the
 * page's URLs use, so the box serves the same bytes without stripping at start.
 */
export function emitClient(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    if (name.endsWith('.test.ts') || name === 'tsconfig.json') continue;
    if (extname(name) === '.ts') {
      const js = stripTypeScriptTypes(readFileSync(join(from, name), 'utf8'));
      writeFileSync(join(to, name.slice(0, -'.ts'.length) + '.js'), js);
    } else {
      copyFileSync(join(from, name), join(to, name));
    }
  }
}
