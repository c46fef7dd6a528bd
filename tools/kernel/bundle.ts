// Start-up is what makes a guest slow. Under TCG, Node's type stripper took
// 14-23 s per import graph, and even as JavaScript the daemon's graph (about
// 500 modules, each a few round trips over 9p) took 23 to 37 s to its first
// heartbeat; bundled into one file it takes 9 to 13 s. So every guest script
// runs as a bundle that rolldown makes on the host, in its own directory
// under node_modules/.cache (inside the repository, so that the packages left
// outside the bundle, native addons, still resolve to node_modules).
// The SG worker is started by URL (./worker.js beside its importer), so each
// bundle carries it as a second entry in the same directory.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'rolldown';
import { REPO } from './pieces.ts';

const CACHE = join(REPO, 'node_modules/.cache/tandem-kernel');
const SG_WORKER = 'hal/scsi/sg/worker.ts';

/** Bundle one repository script (path relative to the repository); returns the bundle's path. */
export async function bundleForGuest(script: string): Promise<string> {
  const dir = join(CACHE, script.replace(/\.ts$/, '').replace(/[^A-Za-z0-9_-]+/g, '-'));
  rmSync(dir, { recursive: true, force: true });
  await build({
    input: { main: join(REPO, script), worker: join(REPO, SG_WORKER) },
    platform: 'node',
    // Native addons load their binaries relative to their own package.
    external: [/^node:/, 'koffi', '@serialport/bindings-cpp'],
    output: { dir, format: 'esm', entryFileNames: '[name].js' },
    logLevel: 'warn',
  });
  return join(dir, 'main.js');
}
