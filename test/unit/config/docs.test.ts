import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConfigDoc } from '../../../firmware/config/docs.ts';

describe('docs/config.md', () => {
  it('lists every schema field with its current type and default', () => {
    const committed = readFileSync(join(import.meta.dirname, '../../../docs/config.md'), 'utf8');
    // Compare cell contents, ignoring the column padding prettier adds.
    const cells = (line: string) =>
      line
        .split(/(?<!\\)\|/)
        .map((c) => c.trim())
        .filter((c) => c !== '');
    const docRows = new Map(
      committed
        .split('\n')
        .filter((l) => l.startsWith('| `'))
        .map((l) => [cells(l)[0], cells(l).join(' | ').replace(/\*\(/g, '_(').replace(/\)\*/g, ')_')]),
    );
    const wanted = renderConfigDoc()
      .split('\n')
      .filter((l) => l.startsWith('| `'));
    expect(wanted.length).toBeGreaterThan(40);
    for (const line of wanted) {
      const row = cells(line);
      expect(docRows.get(row[0]), `docs/config.md is stale for ${row[0]}; regenerate it`).toBe(
        row.join(' | ').replace(/\*\(/g, '_(').replace(/\)\*/g, ')_'),
      );
    }
    expect(docRows.size).toBe(wanted.length);
  });
});
