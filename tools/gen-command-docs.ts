// Regenerates the command list of docs/mqtt.md (between the commands:begin
// and commands:end markers) from the command registry, so the docs say what
// the firmware accepts. `node tools/gen-command-docs.ts` rewrites the file;
// `--check` only says whether it is current (exit 1 if not).
// test/unit/commands/docs.test.ts fails when the two drift apart.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { docsList } from '../firmware/commands/help.ts';
import { errorMessage } from '../hal/errors.ts';

export const DOC_FILE = fileURLToPath(new URL('../docs/mqtt.md', import.meta.url));
const BEGIN = '<!-- commands:begin -->';
const END = '<!-- commands:end -->';

/** `text` with the marked block replaced by the registry's list, formatted as the repository formats Markdown. */
export async function withCommandList(text: string, file = DOC_FILE): Promise<string> {
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${file}: no ${BEGIN} ... ${END} block`);
  const block = [
    BEGIN,
    '<!-- generated from firmware/commands by tools/gen-command-docs.ts: edit the registry, not this list -->',
    '',
    docsList(),
    '',
    END,
  ].join('\n');
  const replaced = text.slice(0, begin) + block + text.slice(end + END.length);
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(replaced, { ...options, filepath: file });
}

async function main(argv: readonly string[]): Promise<number> {
  const current = readFileSync(DOC_FILE, 'utf8');
  const wanted = await withCommandList(current);
  if (argv.includes('--check')) {
    if (wanted === current) return 0;
    console.error(`${DOC_FILE}: the command list is out of date; run node tools/gen-command-docs.ts`);
    return 1;
  }
  if (wanted !== current) writeFileSync(DOC_FILE, wanted);
  console.log(`${DOC_FILE}: command list ${wanted === current ? 'already current' : 'regenerated'}`);
  return 0;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(errorMessage(err));
      process.exitCode = 1;
    },
  );
}
