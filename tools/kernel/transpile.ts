// TypeScript start-up is what makes a guest slow: under TCG, Node's type
// stripper takes seconds to load and more to strip each module (importing
// the reservation manager and the disk path took 14-23 s; one worker thread
// loads the stripper again). So the guest runs JavaScript: tsc (our own dev
// dependency) emits the guest scripts and what they import, without type
// checking (npm run typecheck does that), into node_modules/.cache, inside
// the repository so that bare imports (koffi) still resolve to node_modules.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './pieces.ts';

const CACHE = join(REPO, 'node_modules/.cache/tandem-kernel');
export const GUEST_JS = join(CACHE, 'js');

/** Where the emitted JavaScript of a repository .ts file is. */
export function emittedPath(script: string): string {
  return join(GUEST_JS, script.replace(/\.ts$/, '.js'));
}

/** Emit the given repository scripts (paths relative to the repository) and their imports. */
export async function emitForGuest(scripts: readonly string[]): Promise<void> {
  mkdirSync(CACHE, { recursive: true });
  const config = {
    extends: join(REPO, 'tsconfig.json'),
    compilerOptions: { noEmit: false, noCheck: true, outDir: GUEST_JS, rootDir: REPO },
    include: [],
    files: scripts.map((s) => join(REPO, s)),
  };
  const project = join(CACHE, 'tsconfig.json');
  writeFileSync(project, JSON.stringify(config));
  await promisify(execFile)(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', project]);
}
