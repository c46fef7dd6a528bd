// config-validate's dry run and config-import's error text. Loaded on first
// use only (config.ts imports it lazily): the config validator compiles the
// whole config schema when loaded, which tandemctl, reading the registry for
// its parsing and help, must not pay for on every run.
import { EXPORT_FORMAT, REDACTED } from '../config/import-plan.ts';
import { parseConfigJson } from '../config/json-text.ts';
import { secretPattern, secretPointers, setAt, valueAt } from '../config/secret-paths.ts';
import { formatIssues, validateConfig } from '../config/validate.ts';

export { formatIssues };

/** The same parsing and validation as config-import, and no change. */
export function validateText(text: string): { ok: true; warnings: string[] } | { ok: false; error: string } {
  // The same strict parsing as an import: duplicate keys and deep nesting refused.
  const strict = parseConfigJson(text);
  if (!strict.ok) return { ok: false, error: `${strict.error.path}: ${strict.error.message}` };
  const parsed = strict.value;
  let candidate = parsed;
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    (parsed as { format?: unknown }).format === EXPORT_FORMAT
  ) {
    candidate = (parsed as { config?: unknown }).config;
    if (candidate === undefined) return { ok: false, error: '/config: is required' };
  }
  // A redacted secret is fine on import (the one in force is kept), so the
  // dry run must not refuse it where the real import would accept it.
  const r = validateConfig(withoutRedacted(candidate));
  if (!r.ok) return { ok: false, error: formatIssues(r.errors) };
  return { ok: true, warnings: r.warnings.map((w) => `${w.path}: ${w.message}`) };
}

/**
 * A copy with every "<redacted>" secret removed (the real import keeps the
 * one in force). A web user's hash is required, so it gets a well-formed
 * stand-in instead: the real import takes that user's hash in force.
 */
function withoutRedacted(candidate: unknown): unknown {
  const copy: unknown = structuredClone(candidate);
  for (const pointer of secretPointers(copy)) {
    if (valueAt(copy, pointer) !== REDACTED) continue;
    setAt(copy, pointer, secretPattern(pointer) === '/web/users/N/hash' ? STAND_IN_HASH : undefined);
  }
  return copy;
}

const STAND_IN_HASH =
  'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
