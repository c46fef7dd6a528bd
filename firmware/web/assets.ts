// The page's files, all served by the box (appliance networks have no
// internet: no CDN, no external font). They are read once at start from
// firmware/web/client: the browser code is TypeScript like the rest, and
// Node's own type stripping turns each .ts file into the JavaScript module
// the browser loads (imports between them keep their .ts names; the MIME
// type is what the browser goes by). No bundler on the box, no build step.
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

/** Every servable file of `dir` by name (flat: no subfolders, so no path ever leaves it). */
export function loadAssets(dir: string = CLIENT_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type === undefined || name.endsWith('.test.ts')) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    const body = Buffer.from(extname(name) === '.ts' ? stripTypeScriptTypes(text) : text);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
    assets.set(name, { body, type, etag });
  }
  return assets;
}
