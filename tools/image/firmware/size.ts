// The staged tree's size, as the image will carry it: file bytes, links not
// followed, so a regression in what ships shows at every build.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface TreeSize {
  readonly bytes: number;
  readonly files: number;
}

export function treeSize(dir: string): TreeSize {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    bytes += lstatSync(join(entry.parentPath, entry.name)).size;
    files += 1;
  }
  return { bytes, files };
}

export function formatSize(s: TreeSize): string {
  return `${(s.bytes / (1024 * 1024)).toFixed(1)} MiB in ${s.files} files`;
}
