// docs/mqtt.md's command list is generated from the registry
// (tools/gen-command-docs.ts); this fails when the two drift apart.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REGISTRY } from '../../../firmware/commands/registry.ts';
import { COMMANDS_BLOCK, DOC_FILE } from '../../../tools/gen-command-docs.ts';
import { withBlock } from '../../../tools/doc-block.ts';

describe('docs/mqtt.md command list', () => {
  it('is what tools/gen-command-docs.ts generates from the registry', async () => {
    const current = readFileSync(DOC_FILE, 'utf8');
    // On failure: run `node tools/gen-command-docs.ts` and commit docs/mqtt.md.
    expect(await withBlock(COMMANDS_BLOCK, current)).toBe(current);
  });

  it('names every command with its role and arguments', () => {
    const text = readFileSync(DOC_FILE, 'utf8');
    const block = text.slice(text.indexOf('<!-- commands:begin -->'), text.indexOf('<!-- commands:end -->'));
    for (const def of REGISTRY) {
      expect(block).toContain(`- \`${def.name}\` (${def.role}`);
      for (const key of Object.keys(def.args.properties))
        expect(block).toMatch(new RegExp(`- \`${key}\\??\`: `));
    }
  });

  it('a drifted block is regenerated, and the text around it kept', async () => {
    const current = readFileSync(DOC_FILE, 'utf8');
    const drifted = current.replace('- `status` (viewer)', '- `status` (admin)');
    expect(drifted).not.toBe(current);
    expect(await withBlock(COMMANDS_BLOCK, drifted)).toBe(current);
  });
});
