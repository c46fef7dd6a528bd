// The page's files, all served by the box (appliance networks have no
// internet: no CDN, no external font). They are read once at start from
// firmware/web/client. The browser code is TypeScript like the rest; its
// imports name the .ts files, so those are the URLs in both ways this runs:
// - from source (npm start, the lab), Node's own type stripping turns each
//   .ts file into the JavaScript module the browser loads;
// - from the emitted tree on the box (npm run build), the build has already
//   stripped them into .js files the same way, served under the .ts names
//   their imports use (the MIME type is what the browser goes by), so the box
//   strips nothing at start.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { extname, join } from 'node:path';

export interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ts': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export const CLIENT_DIR = new URL('./client/', import.meta.url).pathname;

/** This module runs from the emitted JavaScript tree, whose client is prebuilt. */
export const PREBUILT_CLIENT = import.meta.url.endsWith('.js');

/** The URL name of a file of the client folder, and whether it is TypeScript to strip; null: not served. */
function servedName(name: string, prebuilt: boolean): { name: string; strip: boolean } | null {
  const ext = extname(name);
  if (prebuilt) {
    if (ext === '.ts') return null;
    if (ext === '.js') return { name: name.slice(0, -'.js'.length) + '.ts', strip: false };
  } else if (ext === '.ts') {
    return name.endsWith('.test.ts') ? null : { name, strip: true };
  }
  return TYPES[ext] === undefined ? null : { name, strip: false };
}

/** Every servable file of `dir` by name (flat: no subfolders, so no path ever leaves it). */
export function loadAssets(
  dir: string = CLIENT_DIR,
  prebuilt: boolean = PREBUILT_CLIENT,
): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const file of readdirSync(dir)) {
    const served = servedName(file, prebuilt);
    if (served === null) continue;
    const type = TYPES[extname(served.name)];
    if (type === undefined) continue;
    const text = readFileSync(join(dir, file), 'utf8');
    const body = Buffer.from(served.strip ? stripTypeScriptTypes(text) : text);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
    assets.set(served.name, { body, type, etag });
  }
  return assets;
}
