// Config schema migrations, as Pacemaker's `cibadmin --upgrade`. A config
// document says its schema in `schema` (absent: 1). This firmware reads every
// schema up to its own (CONFIG_SCHEMA_VERSION): an older document is migrated
// in memory, entry by entry of the table below, and then validated against
// the current schema (schema.ts). A newer one is refused, naming the
// firmware it needs; nothing is dropped silently.
//
// The pair keeps storing and replicating the schema it has committed (the
// document's own `schema`), so a peer still on the older firmware reads what
// this one writes. That is why every migration is invertible on the fields
// it touches: `down` turns the current form back into the committed one for
// the file, exports and replication. `tandemctl upgrade commit`
// (commands/upgrade.ts) raises the committed schema once both controllers
// run this firmware.
//
// Each entry: pure and total on parsed JSON (any object in, an object out,
// never throws, never mutates its input), one line of description.
import { CONFIG_SCHEMA_VERSION } from './schema-version.ts';
import type { ConfigIssue } from './rules.ts';
import type { TandemConfig } from './schema.ts';
import { validateConfig, type ConfigResult } from './validate.ts';

export type JsonObject = Record<string, unknown>;

export interface Migration {
  /** The schema it reads; it writes `from + 1`. */
  readonly from: number;
  /** One line: what changes (docs and the upgrade commit's reply). */
  readonly description: string;
  /** Schema `from` to `from + 1`. */
  up(doc: JsonObject): JsonObject;
  /** Back again, for the fields `up` touches. */
  down(doc: JsonObject): JsonObject;
}

/** The schemas a firmware reads: 1 up to `current`, one migration per step. */
export interface SchemaTable {
  readonly current: number;
  readonly migrations: readonly Migration[];
}

/** This firmware's migrations, oldest first. Empty while there is only schema 1. */
export const MIGRATIONS: readonly Migration[] = [];

export const FIRMWARE_SCHEMAS: SchemaTable = { current: CONFIG_SCHEMA_VERSION, migrations: MIGRATIONS };

/** Throws when the table does not lead from schema 1 to `current` one step at a time (a build bug). */
export function checkTable(table: SchemaTable): SchemaTable {
  const steps = table.migrations.map((m) => m.from);
  if (table.current !== table.migrations.length + 1 || steps.some((from, i) => from !== i + 1))
    throw new Error(`config migrations: schema ${table.current} needs steps 1..${table.current - 1}`);
  return table;
}
checkTable(FIRMWARE_SCHEMAS);

const isObj = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The schema a parsed document says it is written in (absent: 1); undefined when `schema` is not a positive integer. */
export function schemaOf(doc: unknown): number | undefined {
  if (!isObj(doc) || doc['schema'] === undefined) return 1;
  const s = doc['schema'];
  return typeof s === 'number' && Number.isSafeInteger(s) && s >= 1 ? s : undefined;
}

/** The refusal of a document this firmware cannot read. */
export function newerSchemaMessage(schema: number, current: number): string {
  return `is ${schema}, newer than the config schema ${current} this firmware reads; it needs firmware that reads config schema ${schema} (the release that ran 'tandemctl upgrade commit'): upgrade this controller's firmware, or import a config of schema ${current} or older`;
}

/**
 * A parsed document in the current form: migrated from its schema, with
 * `schema` kept as the committed one (removed when 1, its meaning when
 * absent). Not validated yet; the caller validates the result.
 */
export function upgradeDocument(doc: unknown, table: SchemaTable = FIRMWARE_SCHEMAS): ConfigOutcome<unknown> {
  if (!isObj(doc)) return { ok: true, value: doc }; // validation names it
  const schema = schemaOf(doc);
  if (schema === undefined)
    return { ok: false, errors: [{ path: '/schema', message: 'must be an integer, 1 or more' }] };
  if (schema > table.current)
    return { ok: false, errors: [{ path: '/schema', message: newerSchemaMessage(schema, table.current) }] };
  let out: JsonObject = structuredClone(doc);
  delete out['schema'];
  for (const m of table.migrations.slice(schema - 1)) out = m.up(out);
  if (schema > 1) out['schema'] = schema;
  else delete out['schema'];
  return { ok: true, value: out };
}

/** The committed schema of a config in the current form (absent: 1). */
export function committedSchema(config: TandemConfig): number {
  return config.schema ?? 1;
}

/**
 * A validated config (current form) as it is stored and replicated: turned
 * back into its committed schema, `schema` left out for 1.
 */
export function storedForm(config: TandemConfig, table: SchemaTable = FIRMWARE_SCHEMAS): JsonObject {
  const schema = committedSchema(config);
  let out = structuredClone(config) as unknown as JsonObject;
  delete out['schema'];
  for (const m of table.migrations.slice(schema - 1).reverse()) out = m.down(out);
  if (schema > 1) out['schema'] = schema;
  return out;
}

/** The steps a commit from `from` to the table's current schema takes, as one line each. */
export function stepsFrom(from: number, table: SchemaTable = FIRMWARE_SCHEMAS): string[] {
  return table.migrations.slice(from - 1).map((m) => `${m.from} → ${m.from + 1}: ${m.description}`);
}

export type ConfigOutcome<T> = { ok: true; value: T } | { ok: false; errors: ConfigIssue[] };

/** What the peer's heartbeat says (null: not said, or not heard). */
export interface PeerUpgradeView {
  /** The highest config schema the peer reads. */
  readonly configSchema: number | null;
  /** The firmware version the peer runs. */
  readonly firmwareVersion: string | null;
}

/** Why the pair may not commit `current` now: one reason each, empty when it may. */
export function commitRefusals(peer: PeerUpgradeView, ownFirmware: string, current: number): string[] {
  const why: string[] = [];
  if (peer.configSchema === null)
    why.push(
      `the peer's heartbeat does not say which config schema it reads (peer not heard, or its firmware predates config schemas); this firmware reads schema ${current}`,
    );
  else if (peer.configSchema < current)
    why.push(
      `the peer reads config schema ${peer.configSchema} only; this firmware writes ${current}: upgrade the peer's firmware first`,
    );
  if (peer.firmwareVersion === null)
    why.push(`the peer's heartbeat does not say which firmware it runs; this controller runs ${ownFirmware}`);
  else if (peer.firmwareVersion !== ownFirmware)
    why.push(
      `the peer runs firmware ${peer.firmwareVersion}, this controller ${ownFirmware}: both must run the same firmware`,
    );
  return why;
}

/** The refusal of a config change while the controllers run different firmware. */
export function mixedWindowMessage(peerFirmware: string, ownFirmware: string): string {
  return `config changes wait until both controllers run the same firmware (ONTAP's rule): finish the upgrade first (the peer runs ${peerFirmware}, this controller ${ownFirmware})`;
}

/** A parsed document read as this firmware reads it: migrated from its schema, then validated. */
export function readConfig(doc: unknown, table: SchemaTable = FIRMWARE_SCHEMAS): ConfigResult {
  const up = upgradeDocument(doc, table);
  return up.ok ? validateConfig(up.value) : { ok: false, errors: up.errors };
}
