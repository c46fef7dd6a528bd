// `npm run bench -- NAME [ARGS...]`: runs tools/bench/NAME.ts and prints its
// result as the last line, `RESULT {json}`, so CI logs and issue notes can
// quote the figures. Each bench module exports `run(args)`; it may print
// progress before, but the RESULT line is always last.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorReport } from '../../hal/errors.ts';

export interface BenchModule {
  /** Field names and meanings are fixed by the issue that asked for the bench. */
  run(args: readonly string[]): Promise<Record<string, number | string>>;
}

const here = dirname(fileURLToPath(import.meta.url));

function available(): string[] {
  return readdirSync(here)
    .filter((f) => f.endsWith('.ts') && f !== 'cli.ts' && !f.startsWith('_'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  const names = available();
  if (name === undefined || !names.includes(name)) {
    console.error(`usage: npm run bench -- NAME [ARGS...]\nbenches: ${names.join(', ') || '(none)'}`);
    return 2;
  }
  const mod = (await import(join(here, `${name}.ts`))) as Partial<BenchModule>;
  if (typeof mod.run !== 'function') {
    console.error(`bench ${name}: tools/bench/${name}.ts does not export run()`);
    return 2;
  }
  const result = await mod.run(rest);
  console.log(`RESULT ${JSON.stringify({ bench: name, ...result })}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench failed: ${errorReport(err)}`);
    process.exit(1);
  },
);
