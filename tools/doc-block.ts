// A generated block in a Markdown doc: the lines between `<!-- NAME:begin -->`
// and `<!-- NAME:end -->` are rewritten from the code they describe, so the
// doc cannot say something the firmware does not do. Each generator names
// its block and supplies the lines; a unit test compares the committed doc
// with what the generator writes.
import { readFileSync, writeFileSync } from 'node:fs';
import * as prettier from 'prettier';
import { errorMessage } from '../hal/errors.ts';

export interface DocBlock {
  /** The doc file. */
  readonly file: string;
  /** The marker name: `<!-- NAME:begin -->`. */
  readonly name: string;
  /** What the block is, for messages ("command list"). */
  readonly what: string;
  /** The command that regenerates it, for messages. */
  readonly regenerate: string;
  /** The lines between the markers. */
  lines(): Promise<readonly string[]> | readonly string[];
}

export const markers = (b: Pick<DocBlock, 'name'>) =>
  ({ begin: `<!-- ${b.name}:begin -->`, end: `<!-- ${b.name}:end -->` }) as const;

/** `text` with the marked block replaced, formatted as the repository formats Markdown. */
export async function withBlock(b: DocBlock, text: string): Promise<string> {
  const { begin: BEGIN, end: END } = markers(b);
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${b.file}: no ${BEGIN} ... ${END} block`);
  const block = [BEGIN, ...(await b.lines()), END].join('\n');
  const replaced = text.slice(0, begin) + block + text.slice(end + END.length);
  const options = (await prettier.resolveConfig(b.file)) ?? {};
  return prettier.format(replaced, { ...options, filepath: b.file });
}

/** Rewrite the doc (or with --check only say whether it is current: exit 1 if not). */
async function regenerate(b: DocBlock, argv: readonly string[]): Promise<number> {
  const current = readFileSync(b.file, 'utf8');
  const wanted = await withBlock(b, current);
  if (argv.includes('--check')) {
    if (wanted === current) return 0;
    console.error(`${b.file}: the ${b.what} is out of date; run ${b.regenerate}`);
    return 1;
  }
  if (wanted !== current) writeFileSync(b.file, wanted);
  console.log(`${b.file}: ${b.what} ${wanted === current ? 'already current' : 'regenerated'}`);
  return 0;
}

/** A generator's command line: `node tools/gen-X.ts [--check]`. */
export function runGenerator(b: DocBlock): void {
  regenerate(b, process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(errorMessage(err));
      process.exitCode = 1;
    },
  );
}
