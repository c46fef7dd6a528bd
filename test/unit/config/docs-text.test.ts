// docs/config.md's text around the tables (docs.test.ts checks the rows) is
// what firmware/config/docs.ts renders, so its example error, computed from
// the defaults by the rules, cannot go stale.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConfigDoc } from '../../../firmware/config/docs.ts';
import { defaultConfig } from '../../../firmware/config/validate.ts';

/** The lines outside the tables, white space runs as one space. */
const prose = (md: string) =>
  md
    .split('\n')
    .filter((l) => !l.startsWith('|'))
    .join('\n')
    .replace(/\s+/g, ' ')
    .trim();

describe('docs/config.md text', () => {
  it('is what docs.ts renders', () => {
    const committed = readFileSync(join(import.meta.dirname, '../../../docs/config.md'), 'utf8');
    // On failure: node firmware/config/docs.ts > docs/config.md, then prettier.
    expect(prose(committed)).toBe(prose(renderConfigDoc()));
  });

  it('its example error names the default warntime + interval', () => {
    const hb = defaultConfig().cluster.heartbeat;
    expect(prose(renderConfigDoc())).toContain(
      `must be >= warntime + interval (${hb.warntimeMs + hb.intervalMs} ms)`,
    );
  });
});
