// tools/gen-config-checks.ts writes, and the repository commits, Ajv's code
// for the config and resource schemas, the config schema's JSON and each
// command's role; this fails when a schema or a command changed and the
// files were not regenerated.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMAND_ROLES } from '../../../firmware/commands/roles.generated.ts';
import { REGISTRY } from '../../../firmware/commands/registry.ts';
import { CONFIG_SCHEMA_JSON } from '../../../firmware/config/schema-json.generated.ts';
import { ConfigSchema } from '../../../firmware/config/schema.ts';
import { CHECKS_FILE, GENERATED, REGENERATE } from '../../../tools/gen-config-checks.ts';

describe('the files tools/gen-config-checks.ts generates', () => {
  it.each(GENERATED.map((g) => [g.file.replace(/^.*\/firmware\//, 'firmware/'), g] as const))(
    '%s is what it generates from the schemas and the registry',
    (_name, { file, source }) => {
      const current = readFileSync(file, 'utf8');
      // Compared as a boolean: a diff of 300 kB of generated code says less than the command.
      expect(source() === current, `${file} is stale: run ${REGENERATE} and commit it`).toBe(true);
    },
  );

  it('checks.generated.ts loads nothing of Ajv at run time (types only)', () => {
    const imports = readFileSync(CHECKS_FILE, 'utf8').match(/^import .*$/gm) ?? [];
    expect(imports.filter((l) => /from 'ajv/.test(l) && !l.startsWith('import type'))).toEqual([]);
    expect(readFileSync(CHECKS_FILE, 'utf8')).not.toContain('require(');
  });

  it('the config schema JSON is JSON.stringify of the live ConfigSchema, byte for byte', () => {
    expect(CONFIG_SCHEMA_JSON === JSON.stringify(ConfigSchema)).toBe(true);
  });

  it('the command roles are the registry’s, in its order', () => {
    expect(Object.entries(COMMAND_ROLES)).toEqual(REGISTRY.map((d) => [d.name, d.role]));
  });
});
