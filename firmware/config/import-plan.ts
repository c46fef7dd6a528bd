// Turns an imported document into the candidate config, before validation:
// strict JSON (no duplicate keys), an export's envelope unwrapped with its
// redacted secrets kept as they are in force, and a partial document either
// refused or, when the operator says --merge, laid over the config in force.
// "Partial" means: it leaves out a setting that is in force with a value
// other than its default, so importing it as it is would silently reset that
// setting (the cluster key and box id among them).
import { err, ok, type Result } from '../core/result.ts';
import { parseConfigJson } from './json-text.ts';
import { FIRMWARE_SCHEMAS, upgradeDocument, type SchemaTable } from './migrations.ts';
import type { ConfigIssue } from './rules.ts';
import type { TandemConfig } from './schema.ts';
import { counterpart, secretPointers, setAt as setSecret, valueAt as secretAt } from './secret-paths.ts';
import { mergeOnto, omittedSettings } from './settings-diff.ts';

export const EXPORT_FORMAT = 'tandem-config';
export const REDACTED = '<redacted>';

/** How many omitted settings a refusal names before "and N more". */
const NAMED = 8;

export interface ImportOptions {
  /** Combine a partial document with the config in force instead of refusing it. */
  readonly merge?: boolean;
  /** The schemas this firmware reads (migrations.ts); a test hands in its own. */
  readonly schemas?: SchemaTable;
}

export function planImport(
  text: string,
  inForce: TandemConfig,
  defaults: TandemConfig,
  options: ImportOptions = {},
): Result<unknown, ConfigIssue[]> {
  const parsed = parseConfigJson(text);
  if (!parsed.ok) return err([parsed.error]);
  let raw = parsed.value;
  let exported = false;
  if (isObj(raw) && raw['format'] === EXPORT_FORMAT) {
    if (!isObj(raw['config'])) return err([{ path: '/config', message: 'is required (an object)' }]);
    raw = raw['config'];
    exported = true;
  }
  if (!isObj(raw)) return err([{ path: '/', message: 'must be a JSON object' }]);
  // An older schema is read in the current form (a newer one is refused), so
  // every comparison below is between documents of one form.
  const upgraded = upgradeDocument(raw, options.schemas ?? FIRMWARE_SCHEMAS);
  if (!upgraded.ok) return err(upgraded.errors);
  const doc = (
    exported ? restoreRedacted(upgraded.value as Record<string, unknown>, inForce) : upgraded.value
  ) as Record<string, unknown>;
  if (options.merge === true) return ok(mergeOnto(inForce, doc));
  // The schema a document is written in is not a setting: the pair's committed one is kept.
  const omitted = omittedSettings(doc, inForce, defaults).filter((p) => p !== '/schema');
  if (omitted.length === 0) return ok(doc);
  const named = omitted.slice(0, NAMED).map((path) => ({
    path,
    message:
      'is set in the config in force but not in this document, so importing it would reset it; give the whole file (config export), or import with --merge to keep what the document leaves out',
  }));
  if (omitted.length > NAMED)
    named.push({ path: '/', message: `and ${omitted.length - NAMED} more settings left out` });
  return err(named);
}

/** A copy in which every "<redacted>" secret is the one in force (or absent, if none is). */
export function restoreRedacted(candidate: Record<string, unknown>, inForce: TandemConfig): unknown {
  const copy = structuredClone(candidate);
  for (const pointer of secretPointers(copy)) {
    if (secretAt(copy, pointer) !== REDACTED) continue;
    const there = counterpart(copy, inForce, pointer);
    setSecret(copy, pointer, there === undefined ? undefined : secretAt(inForce, there));
  }
  return copy;
}

/** A copy with every secret blanked, for exports. */
export function redacted(config: TandemConfig): TandemConfig {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  for (const pointer of secretPointers(copy)) {
    if (secretAt(copy, pointer) !== undefined) setSecret(copy, pointer, REDACTED);
  }
  return copy as unknown as TandemConfig;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
