// `npm run flash -- IMAGE TARGET --controller A|B --box ID [--config FILE] [--force TARGET]`
import { errorMessage, errorReport } from '../../hal/errors.ts';
import { parseFlashArgs } from './args.ts';
import { FlashError } from './errors.ts';
import { flash } from './flash.ts';

const HELP = `usage: npm run flash -- IMAGE TARGET --controller A|B --box ID [--config FILE] [--force TARGET]

Writes a Tandem controller image (GPT: boot, rootfs-a, rootfs-b, data) onto
TARGET, a block device or a regular file (created if missing), reads it back
and compares SHA-256, then writes tandem/etc/identity.json (and, with
--config, tandem/etc/tandem.json) onto TARGET's data partition.

Installing a box is flashing the same image twice, once per controller:
  npm run flash -- tandem.img /dev/sdX --controller A --box rack1-box3 --config box.json
  npm run flash -- tandem.img /dev/sdY --controller B --box rack1-box3 --config box.json

  --controller A|B   which controller this disk goes into
  --box ID           the box's id (the config's box.id rule: lower-case slug)
  --config FILE      the box's config, checked by the firmware's validator;
                     its box.id must equal --box
  --force TARGET     overwrite a TARGET that holds a filesystem or a partition
                     table; must name TARGET itself
A mounted TARGET (or one of its partitions, or a loop device over it) is
always refused. Run as root.`;

async function main(argv: readonly string[]): Promise<number> {
  const args = parseFlashArgs(argv);
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  await flash(args.request, { log: (line) => console.log(line), progress: process.stderr });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Refusals and system errors (which name their path) need no stack.
    const sysError = typeof (err as NodeJS.ErrnoException | undefined)?.code === 'string';
    if (err instanceof FlashError || sysError) console.error(`flash: ${errorMessage(err)}`);
    else console.error(`flash failed: ${errorReport(err)}`);
    if (
      err instanceof FlashError &&
      /^(expected|missing|--\w+ given|Unknown option|Option)/.test(err.message)
    ) {
      console.error('(npm run flash -- --help)');
    }
    process.exit(1);
  },
);
