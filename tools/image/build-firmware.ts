// `npm run build`: the staged firmware tree both image builders lay over the
// root filesystem (docs/image.md): the firmware and hal as JavaScript with
// the production node_modules in /opt/tandem, tandemctl, the init scripts,
// inittab, the local broker's config, RAUC's slots, and the links to the
// data partition. Buildroot (buildroot/package/tandem) and `npm run image`
// take it as it is: neither runs npm or TypeScript.
//
//   node tools/image/build-firmware.ts [--out DIR] [--arch x64|arm64]
//        [--version V] [--keyring PEM]
//
// DIR defaults to dist/firmware-root and is made afresh; ARCH (default x64)
// picks the native addons kept; V replaces package.json's version (the
// upgrade tests build an N+1); PEM is the CA RAUC accepts bundles from
// (default: the development CA, which protects nothing).
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { emitFirmware } from './firmware/emit.ts';
import { BuildError } from './firmware/exec.ts';
import { copyProductionModules, type Arch } from './firmware/node-modules.ts';
import { writePackageJson } from './firmware/package-json.ts';
import { formatSize, treeSize } from './firmware/size.ts';
import { DEV_KEYRING, stageSystemFiles } from './firmware/system-files.ts';
import { dropTypescript, typescriptFiles } from './firmware/typescript-files.ts';

const REPO = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

export interface BuildOptions {
  readonly out: string;
  readonly arch: Arch;
  readonly version?: string;
  readonly keyring?: string;
  readonly log: (line: string) => void;
}

export async function buildFirmware(o: BuildOptions): Promise<void> {
  rmSync(o.out, { recursive: true, force: true });
  const app = join(o.out, 'opt', 'tandem');
  mkdirSync(app, { recursive: true });
  o.log('emitting firmware/ and hal/ as JavaScript (tsc -p tsconfig.build.json)');
  await emitFirmware(REPO, app);
  const version = writePackageJson(REPO, app, o.version);
  const packages = await copyProductionModules(REPO, app, o.arch);
  const dropped = dropTypescript(join(app, 'node_modules'));
  o.log(
    `node_modules: ${packages} production packages for linux-${o.arch} (${dropped} .ts declarations left out)`,
  );
  const keyring = o.keyring ?? join(REPO, DEV_KEYRING);
  if (o.keyring === undefined) o.log(`RAUC keyring: the development CA (${DEV_KEYRING}), for tests only`);
  stageSystemFiles(REPO, o.out, keyring);
  const left = typescriptFiles(o.out);
  if (left.length > 0) throw new BuildError(`TypeScript left in the tree: ${left.slice(0, 5).join(', ')}`);
  o.log(`tandem ${version} staged in ${o.out}: ${formatSize(treeSize(o.out))}`);
}

function parseArch(v: string | undefined): Arch {
  if (v === undefined || v === 'x64') return 'x64';
  if (v === 'arm64') return 'arm64';
  throw new BuildError(`--arch must be x64 or arm64, not ${v}`);
}

/** The same rule the heartbeat and the status apply to a firmware version. */
function parseVersion(v: string): string {
  if (!/^[\w.+-]{1,32}$/.test(v))
    throw new BuildError(`--version must be 1 to 32 of [A-Za-z0-9_.+-], not ${v}`);
  return v;
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      out: { type: 'string' },
      arch: { type: 'string' },
      version: { type: 'string' },
      keyring: { type: 'string' },
    },
    strict: true,
  });
  await buildFirmware({
    out: resolve(values.out ?? join(REPO, 'dist', 'firmware-root')),
    arch: parseArch(values.arch),
    ...(values.version !== undefined ? { version: parseVersion(values.version) } : {}),
    ...(values.keyring !== undefined ? { keyring: resolve(values.keyring) } : {}),
    log: (line) => void process.stdout.write(`build: ${line}\n`),
  });
  return 0;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`build: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
