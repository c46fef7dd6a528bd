// The registry itself: every command declared once, every argument bounded,
// every command spelled on tandemctl's command line, roles as the policy says.
import type { TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { REGISTRY } from '../../../firmware/commands/registry.ts';
import { COMMANDS } from '../../../firmware/core/envelope.ts';

/** Every schema node under `schema`, itself included. */
function nodes(schema: TSchema): TSchema[] {
  const kids = (schema['anyOf'] as TSchema[] | undefined) ?? [];
  return [schema, ...kids.flatMap(nodes)];
}

describe('command registry', () => {
  it('declares each envelope command exactly once', () => {
    expect(REGISTRY.map((d) => d.name).sort()).toEqual([...COMMANDS].sort());
  });

  it('bounds every argument and refuses undeclared ones', () => {
    for (const def of REGISTRY) {
      expect(def.args['additionalProperties'], def.name).toBe(false);
      for (const [key, schema] of Object.entries(def.args.properties)) {
        const where = `${def.name}.${key}`;
        expect(typeof schema.description, where).toBe('string');
        expect(typeof schema['must'], where).toBe('string');
        for (const n of nodes(schema)) {
          if (n['type'] === 'string') expect(n['maxLength'] ?? n['const'], where).toBeDefined();
          if (n['type'] === 'integer') {
            expect(n['minimum'], where).toBeDefined();
            expect(n['maximum'], where).toBeDefined();
          }
          expect(['string', 'integer', 'boolean', undefined], where).toContain(n['type']);
        }
      }
    }
  });

  it('gives every required argument a spelling on the command line (or a line on stdin)', () => {
    for (const def of REGISTRY) {
      const spelled = new Set([
        ...(def.cli.positionals ?? []).filter((p) => p.optional !== true).map((p) => p.arg),
        ...(def.cli.file?.mode === 'read' ? ['text'] : []),
        ...(def.cli.secrets ?? []).map((s) => s.arg),
      ]);
      for (const key of def.args.required ?? []) expect(spelled, `${def.name}.${key}`).toContain(key);
      for (const p of def.cli.positionals ?? []) expect(def.args.properties).toHaveProperty(p.arg);
      for (const f of def.cli.flags ?? []) expect(def.args.properties).toHaveProperty(f.arg);
      for (const s of def.cli.secrets ?? []) expect(def.args.properties).toHaveProperty(s.arg);
    }
  });

  it('never takes a password from the command line, where ps shows it', () => {
    for (const def of REGISTRY) {
      for (const p of def.cli.positionals ?? []) expect(p.arg, def.name).not.toMatch(/^(password|old|new)$/);
      for (const f of def.cli.flags ?? []) expect(f.arg, def.name).not.toMatch(/^(password|old|new)$/);
    }
  });

  it('spells each command differently, and a flag the same way wherever it appears', () => {
    const words = REGISTRY.map((d) => d.cli.words.join(' '));
    expect(new Set(words).size).toBe(words.length);
    const kinds = new Map<string, boolean>();
    for (const f of REGISTRY.flatMap((d) => d.cli.flags ?? [])) {
      const takesValue = f.metavar !== undefined;
      expect(kinds.get(f.flag) ?? takesValue, f.flag).toBe(takesValue);
      kinds.set(f.flag, takesValue);
    }
  });

  it('reads need a viewer, changes an operator, config import and secrets an admin', () => {
    const role = Object.fromEntries(REGISTRY.map((d) => [d.name, d.role]));
    for (const c of [
      'status',
      'peer',
      'paths',
      'groups',
      'alarms',
      'log',
      'pr',
      'config-show',
      'config-validate',
    ])
      expect(role[c], c).toBe('viewer');
    for (const c of [
      'switchover',
      'failback',
      'takeover',
      'maintenance',
      'cleanup',
      'alarm-ack',
      'mute',
      'locate',
    ])
      expect(role[c], c).toBe('operator');
    expect(role['config-import']).toBe('admin');
    const exp = REGISTRY.find((d) => d.name === 'config-export');
    expect(exp?.role).toBe('viewer');
    expect(exp?.stronger?.role).toBe('admin');
    expect(exp?.stronger?.needed({ includeSecrets: true })).toBe(true);
    expect(exp?.stronger?.needed({ includeSecrets: false })).toBe(false);
  });
});
