// The download of a bundle, in a process of its own at the lowest CPU and
// I/O priority (fetch-bundle.ts starts it): node fetch-child URL FILE.
// Nothing imports this file, so no bundle of the daemon runs it.
import { download, isUrl } from './fetch-bundle.ts';

const [source, into] = process.argv.slice(2);
if (source === undefined || into === undefined || !isUrl(source)) {
  process.stderr.write('usage: fetch-child URL FILE\n');
  process.exit(2);
}
download(source, into).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
