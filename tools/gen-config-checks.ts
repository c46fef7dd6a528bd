// Generates, from the TypeBox schemas and the command registry, what the
// firmware's processes would otherwise build or compile at each start:
//
// - firmware/config/checks.generated.ts: the config schema's and the resource
//   agents' validators as Ajv standalone code, compiled here once instead of
//   by Ajv in every process that reads the config (the daemon, the front
//   panel, the web panel): that compile took about 250 ms and up to 13 MB of
//   heap at each start (docs/footprint.md), and loading Ajv's compiler
//   another 11 MB.
// - firmware/config/schema-json.generated.ts: the config schema's JSON, which
//   the web process serves (GET /api/config/schema) without loading TypeBox
//   (some 200 modules and 14 MB) to build the schema.
// - firmware/commands/roles.generated.ts: each command's role, in the
//   registry's order, which is all the web process reads of the registry;
//   the registry itself loads every command's argument schemas (TypeBox).
//
// The files are committed, so the TypeScript run and the built JavaScript
// (`npm run build`) use the same code; nothing generates them at build or
// start time.
//
//   node tools/gen-config-checks.ts            rewrite the files
//   node tools/gen-config-checks.ts --check    exit 1 if one is out of date
//
// test/unit/config/checks-generated.test.ts fails when a committed file is
// not what this writes. The checks are TypeScript (not a .js with a .d.ts)
// because they import the ipv4 format from hal/, which only the .ts name
// reaches in both runs; the generated files are left out of lint and format
// checks, which would only judge generated text.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import { Ajv, _ } from 'ajv';
// A CommonJS module: its function is both module.exports and .default; typed as the latter.
import standalone from 'ajv/dist/standalone/index.js';
import { errorMessage } from '../hal/errors.ts';
import { isIpv4 } from '../hal/net/net.ts';
import * as resources from '../firmware/config/resource-schemas.ts';
import * as config from '../firmware/config/schema.ts';
import { REGISTRY } from '../firmware/commands/registry.ts';

export const CHECKS_FILE = fileURLToPath(new URL('../firmware/config/checks.generated.ts', import.meta.url));
export const SCHEMA_JSON_FILE = fileURLToPath(
  new URL('../firmware/config/schema-json.generated.ts', import.meta.url),
);
export const COMMAND_ROLES_FILE = fileURLToPath(
  new URL('../firmware/commands/roles.generated.ts', import.meta.url),
);
export const REGENERATE = 'node tools/gen-config-checks.ts';

/** Each exported check: its name, its schema and where the schema's export lives. */
const CHECKS = {
  config: { schema: config.ConfigSchema, name: 'ConfigSchema', from: './schema.ts' },
  reservation: {
    schema: resources.ReservationSchema,
    name: 'ReservationSchema',
    from: './resource-schemas.ts',
  },
  filesystem: { schema: resources.FilesystemSchema, name: 'FilesystemSchema', from: './resource-schemas.ts' },
  vip: { schema: resources.VipSchema, name: 'VipSchema', from: './resource-schemas.ts' },
  postgresql: { schema: resources.PostgresSchema, name: 'PostgresSchema', from: './resource-schemas.ts' },
  service: { schema: resources.ServiceSchema, name: 'ServiceSchema', from: './resource-schemas.ts' },
  dummy: { schema: resources.DummySchema, name: 'DummySchema', from: './resource-schemas.ts' },
  hook: { schema: resources.HookSchema, name: 'HookSchema', from: './resource-schemas.ts' },
  restart: {
    schema: resources.RestartPolicySchema,
    name: 'RestartPolicySchema',
    from: './resource-schemas.ts',
  },
} as const satisfies Record<string, { schema: TSchema; name: string; from: string }>;

/**
 * Ajv's runtime helpers the code may use, inlined: the generated code names
 * them with require(), which an ES module has not. Only self-contained
 * functions can be inlined; another helper is refused below.
 */
const INLINED_RUNTIME = new Set(['ucs2length']);

/** The Ajv the validators were compiled with at start before: same options, keyword and format. */
function compiler(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    strict: true,
    code: { source: true, esm: true, lines: true, formats: _`customFormats` },
  });
  // An annotation (restart.ts reads it from the schema), not a check.
  ajv.addKeyword({ keyword: 'requiresRestart', schemaType: 'boolean' });
  ajv.addFormat('ipv4', isIpv4);
  for (const [key, c] of Object.entries(CHECKS)) ajv.addSchema(c.schema, key);
  return ajv;
}

function inlineRuntime(code: string): string {
  const require = createRequire(import.meta.url);
  return code.replace(
    /^const (\w+) = require\("ajv\/dist\/runtime\/(\w+)"\)\.default;$/gm,
    (_line, name: string, helper: string) => {
      if (!INLINED_RUNTIME.has(helper))
        throw new Error(
          `the generated checks need Ajv's runtime ${helper}: teach ${REGENERATE} to provide it`,
        );
      const fn = (require(`ajv/dist/runtime/${helper}`) as { default: () => unknown }).default;
      return `const ${name} = ${fn.toString()};`;
    },
  );
}

/**
 * Non-ASCII characters (only in the schema's descriptions, so only inside
 * string literals) as \u escapes: one such character makes V8 keep the
 * whole source, which it holds for lazy compiling, at two bytes a character.
 */
function asciiOnly(code: string): string {
  return code.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The text of firmware/config/checks.generated.ts. */
export function checksSource(): string {
  const ajv = compiler();
  const refs = Object.fromEntries(Object.keys(CHECKS).map((k) => [k, k]));
  const code = inlineRuntime(standalone.default(ajv, refs)).replace(/^"use strict";\n/, '');
  if (code.includes('require(')) throw new Error(`the generated checks still require() a module`);
  // Ajv exports each check untyped; renamed here so the typed exports below carry the names.
  const renamed = asciiOnly(code).replace(/^export const (\w+) = (validate\d+);$/gm, 'const $1$$ = $2;');
  const fromFiles = [...new Set(Object.values(CHECKS).map((c) => c.from))];
  return [
    '// @ts-nocheck',
    `// Generated by tools/gen-config-checks.ts (Ajv standalone code): do not edit. After`,
    `// changing a schema, run \`${REGENERATE}\`; test/unit/config/checks-generated.test.ts`,
    '// fails while this file is stale.',
    `import type { Static } from '@sinclair/typebox';`,
    `import type { ErrorObject } from 'ajv';`,
    `import { isIpv4 } from '../../hal/net/net.ts';`,
    ...fromFiles.map(
      (f) =>
        `import type { ${Object.values(CHECKS)
          .filter((c) => c.from === f)
          .map((c) => c.name)
          .join(', ')} } from '${f}';`,
    ),
    '',
    '/** A compiled schema: true when `data` fits it (defaults filled in); otherwise `errors` says why. */',
    'export interface Check<T> {',
    '  (data: unknown): data is T;',
    '  errors?: ErrorObject[] | null;',
    '}',
    '',
    '// Ajv names the custom formats through this (its `code.formats` option).',
    'const customFormats = { ipv4: isIpv4 };',
    '',
    renamed,
    ...Object.entries(CHECKS).map(([k, c]) => `export const ${k}: Check<Static<typeof ${c.name}>> = ${k}$;`),
    '',
  ].join('\n');
}

/** The text of firmware/config/schema-json.generated.ts. */
export function schemaJsonSource(): string {
  return [
    `// Generated by tools/gen-config-checks.ts from config/schema.ts: do not edit. After`,
    `// changing the schema, run \`${REGENERATE}\`; test/unit/config/checks-generated.test.ts`,
    '// fails while this file is stale.',
    '',
    '/**',
    ' * JSON.stringify(ConfigSchema), which GET /api/config/schema serves (the',
    " * page's config form): the web process loads no TypeBox to build the schema.",
    ' */',
    `export const CONFIG_SCHEMA_JSON =\n  ${asciiOnly(JSON.stringify(JSON.stringify(config.ConfigSchema)))};`,
    '',
  ].join('\n');
}

/** The text of firmware/commands/roles.generated.ts. */
export function commandRolesSource(): string {
  return [
    `// Generated by tools/gen-config-checks.ts from commands/registry.ts: do not edit.`,
    `// After changing a command's role, or adding one, run \`${REGENERATE}\`;`,
    '// test/unit/config/checks-generated.test.ts fails while this file is stale.',
    `import type { CommandName } from '../core/envelope.ts';`,
    `import type { Role } from './define.ts';`,
    '',
    '/**',
    " * Each command's role (its declaration's `role`), in the registry's order:",
    ' * what the web process reads of the registry, which would load every',
    " * command's argument schemas (TypeBox) with it.",
    ' */',
    'export const COMMAND_ROLES: Readonly<Record<CommandName, Role>> = {',
    ...REGISTRY.map((d) => `  ${JSON.stringify(d.name)}: ${JSON.stringify(d.role)},`),
    '};',
    '',
  ].join('\n');
}

/** Every file this writes, with its text. */
export const GENERATED: readonly { readonly file: string; readonly source: () => string }[] = [
  { file: CHECKS_FILE, source: checksSource },
  { file: SCHEMA_JSON_FILE, source: schemaJsonSource },
  { file: COMMAND_ROLES_FILE, source: commandRolesSource },
];

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // No file yet: it is out of date.
    return '';
  }
}

function main(argv: readonly string[]): number {
  let stale = 0;
  for (const { file, source } of GENERATED) {
    const wanted = source();
    const current = readOrEmpty(file);
    if (argv.includes('--check')) {
      if (wanted !== current) {
        console.error(`${file} is out of date; run ${REGENERATE}`);
        stale++;
      }
      continue;
    }
    if (wanted !== current) writeFileSync(file, wanted);
    console.log(`${file}: ${wanted === current ? 'already current' : 'regenerated'}`);
  }
  return stale === 0 ? 0 : 1;
}

if (import.meta.main) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(errorMessage(err));
    process.exitCode = 1;
  }
}
