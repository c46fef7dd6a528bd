// The flash command line, checked before anything is opened: two positionals
// (IMAGE TARGET), each option at most once, bounded paths.
import { parseArgs } from 'node:util';
import { FlashError } from './errors.ts';
import type { FlashRequest } from './flash.ts';

const MAX_PATH = 4096;

export type FlashArgs = { readonly help: true } | { readonly help: false; readonly request: FlashRequest };

function path(value: string, what: string): string {
  if (value === '' || value.length > MAX_PATH || value.includes('\0')) {
    throw new FlashError(`${what}: not a usable path (empty, NUL or over ${MAX_PATH} characters)`);
  }
  return value;
}

export function parseFlashArgs(argv: readonly string[]): FlashArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: {
        controller: { type: 'string' },
        box: { type: 'string' },
        config: { type: 'string' },
        force: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new FlashError((err as Error).message);
  }
  const { values, positionals, tokens } = parsed;
  if (values.help === true) return { help: true };
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    if (seen.has(t.name)) throw new FlashError(`--${t.name} given twice`);
    seen.add(t.name);
  }
  if (positionals.length !== 2) {
    throw new FlashError(`expected IMAGE and TARGET, got ${positionals.length} argument(s)`);
  }
  const missing = (['controller', 'box'] as const).filter((k) => values[k] === undefined);
  if (missing.length > 0) throw new FlashError(`missing ${missing.map((k) => `--${k}`).join(' and ')}`);
  const [image = '', target = ''] = positionals;
  return {
    help: false,
    request: {
      image: path(image, 'IMAGE'),
      target: path(target, 'TARGET'),
      controller: values.controller ?? '',
      box: values.box ?? '',
      ...(values.config === undefined ? {} : { config: path(values.config, '--config') }),
      ...(values.force === undefined ? {} : { force: path(values.force, '--force') }),
    },
  };
}
