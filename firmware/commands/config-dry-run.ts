// config-validate's dry run and config-import's error text. Loaded on first
// use only (config.ts imports it lazily): the config validator compiles the
// whole config schema when loaded, which tandemctl, reading the registry for
// its parsing and help, must not pay for on every run.
import { EXPORT_FORMAT, REDACTED } from '../config/import-plan.ts';
import { parseConfigJson } from '../config/json-text.ts';
import { SECRET_PATHS } from '../config/schema.ts';
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

/** A copy with every "<redacted>" secret removed (the real import keeps the one in force). */
function withoutRedacted(candidate: unknown): unknown {
  const copy: unknown = structuredClone(candidate);
  for (const pointer of SECRET_PATHS) {
    const parts = pointer.split('/').slice(1);
    const key = parts.pop() ?? '';
    let holder: unknown = copy;
    for (const part of parts) {
      holder =
        typeof holder === 'object' && holder !== null ? (holder as Record<string, unknown>)[part] : undefined;
    }
    if (
      typeof holder === 'object' &&
      holder !== null &&
      (holder as Record<string, unknown>)[key] === REDACTED
    ) {
      delete (holder as Record<string, unknown>)[key];
    }
  }
  return copy;
}
