// Regenerates the command list of docs/mqtt.md (between the commands:begin
// and commands:end markers) from the command registry, so the docs say what
// the firmware accepts. `node tools/gen-command-docs.ts` rewrites the file;
// `--check` only says whether it is current (exit 1 if not).
// test/unit/commands/docs.test.ts fails when the two drift apart.
import { fileURLToPath } from 'node:url';
import { docsList } from '../firmware/commands/help.ts';
import { runGenerator, type DocBlock } from './doc-block.ts';

export const DOC_FILE = fileURLToPath(new URL('../docs/mqtt.md', import.meta.url));

/** The generated block of docs/mqtt.md (tools/doc-block.ts). */
export const COMMANDS_BLOCK: DocBlock = {
  file: DOC_FILE,
  name: 'commands',
  what: 'command list',
  regenerate: 'node tools/gen-command-docs.ts',
  lines: () => [
    '<!-- generated from firmware/commands by tools/gen-command-docs.ts: edit the registry, not this list -->',
    '',
    docsList(),
    '',
  ],
};

if (import.meta.main) runGenerator(COMMANDS_BLOCK);
