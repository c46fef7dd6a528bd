// `npm run bundle`: a signed RAUC bundle of the dev image's root filesystem,
// or `npm run bundle -- verify BUNDLE`: is it signed by the keyring's key and
// whole? Arguments are outside input: each is checked, and a bad one named.
import { join } from 'node:path';
import { IMAGE_DIR, REPO } from '../image/layout.ts';
import { BundleError, makeBundle, verifyBundle } from './bundle.ts';

const DEV_CA = join(REPO, 'images', 'rauc', 'dev-ca');
const USAGE = `usage:
  npm run bundle -- [--rootfs FILE] [--version V] [--cert FILE --key FILE] [--out FILE]
      FILE: the dev image's root slot (${join(IMAGE_DIR, 'work', 'input', 'rootfs.ext4')}, from npm run image);
      V: package.json's version; the development key (images/rauc/dev-ca, not for production)
      unless --cert and --key name yours; out: ${join(IMAGE_DIR, 'tandem-V.raucb')}
  npm run bundle -- verify BUNDLE [--keyring FILE]
      the signature against the keyring (the development certificate unless named), then the whole payload`;

const OPTIONS = new Set(['--rootfs', '--version', '--cert', '--key', '--out', '--keyring']);

function options(argv: readonly string[]): { rest: string[]; opts: Map<string, string> } {
  const opts = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a.startsWith('--')) {
      const v = argv[i + 1];
      if (!OPTIONS.has(a))
        throw new BundleError(`unknown option ${JSON.stringify(a.slice(0, 40))}\n${USAGE}`);
      if (v === undefined) throw new BundleError(`${a} needs a value\n${USAGE}`);
      opts.set(a, v);
      i++;
    } else rest.push(a);
  }
  return { rest, opts };
}

async function packageVersion(): Promise<string> {
  const pkg = (await import(join(REPO, 'package.json'), { with: { type: 'json' } })) as {
    default: { version: string };
  };
  return pkg.default.version;
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help')) return void console.log(USAGE);
  const { rest, opts } = options(argv);
  if (rest[0] === 'verify') {
    const bundle = rest[1];
    if (bundle === undefined || rest.length > 2) throw new BundleError(`verify takes one BUNDLE\n${USAGE}`);
    const v = await verifyBundle(bundle, opts.get('--keyring') ?? join(DEV_CA, 'dev.cert.pem'));
    console.log(`${bundle}: signed and whole: ${v.compatible} ${v.version}`);
    return;
  }
  if (rest.length > 0)
    throw new BundleError(`unexpected argument ${JSON.stringify(rest[0]?.slice(0, 40))}\n${USAGE}`);
  if (opts.has('--cert') !== opts.has('--key'))
    throw new BundleError(`--cert and --key go together\n${USAGE}`);
  const version = opts.get('--version') ?? (await packageVersion());
  const out = opts.get('--out') ?? join(IMAGE_DIR, `tandem-${version}.raucb`);
  await makeBundle({
    rootfs: opts.get('--rootfs') ?? join(IMAGE_DIR, 'work', 'input', 'rootfs.ext4'),
    version,
    cert: opts.get('--cert') ?? join(DEV_CA, 'dev.cert.pem'),
    key: opts.get('--key') ?? join(DEV_CA, 'dev.key.pem'),
    out,
  });
  console.log(
    `${out}: version ${version}${opts.has('--key') ? '' : ', signed with the development key (not for production)'}`,
  );
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`npm run bundle: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(err instanceof BundleError ? 2 : 1);
});
