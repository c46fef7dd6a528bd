// docs/heartbeat.md holds the one table of the heartbeat's settings and their
// defaults. This parses it and compares every row with the schema's default
// (and the lab timing with LAB_TIMING), fails when a setting is missing
// from the table or the table names one the schema lacks, and recomputes
// the other numbers in heartbeat.md that follow from a default.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_HEARTBEAT_BYTES } from '../../../firmware/cluster/message.ts';
import { FRAME_OVERHEAD } from '../../../firmware/cluster/serial-framing.ts';
import { LAB_TIMING, type HeartbeatTiming } from '../../../firmware/cluster/timing.ts';
import { WITNESS_SECTOR_COUNT } from '../../../firmware/cluster/witness-layout.ts';
import { replicationPort } from '../../../firmware/config/replication/replicator.ts';
import { ConfigSchema } from '../../../firmware/config/schema.ts';
import { defaultConfig, validateConfig } from '../../../firmware/config/validate.ts';

const DOCS = join(import.meta.dirname, '../../../docs');
const LAB_CONFIGS = join(import.meta.dirname, '../../../tools/lab/configs');
const text = readFileSync(join(DOCS, 'heartbeat.md'), 'utf8');
/** The text with every run of white space as one space, so a phrase may wrap anywhere. */
const flat = text.replace(/\s+/g, ' ');

/** The cluster settings the table must cover: every leaf under /cluster but the secret key. */
const COVERED = '/cluster';
const LEFT_OUT = ['/cluster/key'];

interface SchemaNode {
  readonly type?: string;
  readonly default?: unknown;
  readonly properties?: Record<string, SchemaNode>;
}

function leaves(node: SchemaNode, pointer: string): Map<string, SchemaNode> {
  const out = new Map<string, SchemaNode>();
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const p = `${pointer}/${name}`;
    if (child.type === 'object' && child.properties !== undefined)
      for (const [q, n] of leaves(child, p)) out.set(q, n);
    else out.set(p, child);
  }
  return out;
}

function valueAt(root: unknown, pointer: string): unknown {
  let v = root;
  for (const key of pointer.split('/').slice(1)) v = (v as Record<string, unknown> | undefined)?.[key];
  return v;
}

/** The table under "## Defaults": setting pointer → its cells. */
function defaultsTable(): Map<string, string[]> {
  const section = text.slice(text.indexOf('\n## Defaults\n'), text.indexOf('\n## 1.'));
  const cells = (line: string) =>
    line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim());
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n').filter((l) => l.startsWith('| `'))) {
    const row = cells(line);
    const setting = /^`([A-Za-z.]+)`$/.exec(row[0] ?? '')?.[1];
    expect(setting, `not a setting: ${line}`).toBeDefined();
    const pointer = '/' + setting!.replaceAll('.', '/');
    expect(rows.has(pointer), `${setting} twice`).toBe(false);
    rows.set(pointer, row);
  }
  return rows;
}

const TIMING_FIELDS: readonly (keyof HeartbeatTiming)[] = [
  'intervalMs',
  'warntimeMs',
  'deadtimeMs',
  'initdeadMs',
];
const timingField = (pointer: string) => TIMING_FIELDS.find((f) => pointer === `/cluster/heartbeat/${f}`);

describe('docs/heartbeat.md defaults table', () => {
  const table = defaultsTable();
  const schema = leaves((ConfigSchema.properties as Record<string, SchemaNode>)['cluster']!, COVERED);
  const defaults = defaultConfig();
  const hb = defaults.cluster.heartbeat;

  it('names every cluster setting of the schema (the key excepted) and nothing else', () => {
    const wanted = [...schema.keys()].filter((p) => !LEFT_OUT.includes(p));
    expect(wanted).toEqual(
      expect.arrayContaining(['/cluster/heartbeat/intervalMs', '/cluster/disk/witnessLba']),
    );
    const missing = wanted.filter((p) => !table.has(p));
    const unknown = [...table.keys()].filter((p) => !wanted.includes(p));
    expect(missing, 'settings of the schema missing from the table').toEqual([]);
    expect(unknown, 'settings in the table the schema lacks (or left out on purpose)').toEqual([]);
  });

  it('gives each setting its schema default', () => {
    for (const [pointer, row] of table) {
      const value = valueAt(defaults, pointer);
      expect(schema.get(pointer)?.default, pointer).toEqual(value);
      expect(row[1], pointer).toBe(value === undefined ? 'unset' : `\`${JSON.stringify(value)}\``);
    }
  });

  it('gives the timing in intervals, and the lab timing (LAB_TIMING) the same way', () => {
    for (const [pointer, row] of table) {
      const field = timingField(pointer);
      if (field === undefined) {
        expect(row.slice(2, 5), pointer).toEqual(['—', '—', '—']);
        continue;
      }
      expect(row[2], pointer).toBe(String(hb[field] / hb.intervalMs));
      expect(row[3], pointer).toBe(`\`${LAB_TIMING[field]}\``);
      expect(row[4], pointer).toBe(String(LAB_TIMING[field] / LAB_TIMING.intervalMs));
    }
  });

  it('the lab configs run the lab timing, as the table says', () => {
    const files = readdirSync(LAB_CONFIGS).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const r = validateConfig(JSON.parse(readFileSync(join(LAB_CONFIGS, f), 'utf8')));
      expect(r.ok && r.config.cluster.heartbeat, f).toEqual(LAB_TIMING);
    }
  });

  it('is the only table of these defaults: other docs link to it', () => {
    for (const f of readdirSync(DOCS).filter((f) => f.endsWith('.md'))) {
      // config.md is the generated reference of every field (firmware/config/docs.ts).
      if (f === 'heartbeat.md' || f === 'config.md') continue;
      const doc = readFileSync(join(DOCS, f), 'utf8');
      expect(doc, f).not.toMatch(/^\|\s*`?(cluster\.)?(heartbeat\.)?(interval|warntime|deadtime|initdead)/im);
    }
  });
});

describe('docs/heartbeat.md numbers that follow from a default', () => {
  const d = defaultConfig();

  it('the replication port', () => {
    expect(flat).toContain(
      `UDP port \`cluster.network.port + 1\` (${replicationPort(d.cluster.network.port)} by default)`,
    );
  });

  it('the serial line: the largest frame fits under half of the lab interval and under the default one at the default speed, not at 19 200', () => {
    const frameMs = (baud: number) => ((MAX_HEARTBEAT_BYTES + FRAME_OVERHEAD) * 10 * 1000) / baud;
    expect(flat).toContain(`a frame adds ${FRAME_OVERHEAD} bytes`);
    expect(flat).toContain(
      'even the largest frame takes under half of the lab interval and under the default interval',
    );
    expect(frameMs(d.cluster.serial.baudRate)).toBeLessThan(LAB_TIMING.intervalMs / 2);
    expect(frameMs(d.cluster.serial.baudRate)).toBeLessThan(d.cluster.heartbeat.intervalMs);
    expect(flat).toContain('at 19 200 baud it takes longer than the lab interval');
    expect(frameMs(19_200)).toBeGreaterThan(LAB_TIMING.intervalMs);
  });

  it('the lab warntime’s margin over the worst gap', () => {
    const gap = LAB_TIMING.intervalMs + 200 + 100;
    expect(flat).toContain(
      `the lab interval + a 200 ms stall of the sender + scheduling jitter under load (~100 ms) = ${gap} ms`,
    );
    expect(flat).toContain(`the lab warntime still leaves ${LAB_TIMING.warntimeMs - gap} ms of margin`);
  });

  it('the sectors the witness layout uses', () => {
    expect(flat).toContain(`layout uses its first ${WITNESS_SECTOR_COUNT} sectors of 512 bytes`);
    expect(flat).toContain(`the layout of section 3 uses its first ${WITNESS_SECTOR_COUNT} `);
  });
});
