// The lab's daemon configs must stay valid under every rule the daemon
// applies at boot (strict JSON, schema, per-agent resources, cross-field
// rules): an invalid one would stop the lab's daemons from starting.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigJson } from '../../../firmware/config/json-text.ts';
import { validateConfig } from '../../../firmware/config/validate.ts';

const DIR = join(import.meta.dirname, '../../../tools/lab/configs');

describe('lab configs', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  it.each(files)('%s is valid', (name) => {
    const parsed = parseConfigJson(readFileSync(join(DIR, name), 'utf8'));
    expect(parsed.ok ? 'ok' : parsed.error).toBe('ok');
    const r = validateConfig(parsed.ok ? parsed.value : undefined);
    expect(r.ok ? 'ok' : r.errors).toBe('ok');
  });
});
