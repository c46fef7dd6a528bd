// No TypeScript on the box: Node there runs JavaScript only (no type
// stripping), so a .ts file in the tree is either dead weight (a package's
// declarations) or a module the build failed to emit.
import { readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const TYPESCRIPT = /\.[mc]?ts$/;

/** Every TypeScript file under `dir`, relative to it. */
export function typescriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && TYPESCRIPT.test(e.name))
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

/** Drops the packages' declaration and source .ts files (types only, never loaded). */
export function dropTypescript(nodeModules: string): number {
  const found = typescriptFiles(nodeModules);
  for (const f of found) rmSync(join(nodeModules, f));
  return found.length;
}
