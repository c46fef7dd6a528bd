// config-validate's dry run and config-import's error text. Loaded on first
// use only (config.ts imports it lazily): the config validator compiles the
// whole config schema when loaded, which tandemctl, reading the registry for
// its parsing and help, must not pay for on every run.
//
// The dry run is the import's own steps without the write: the same plan
// (strict JSON, an export's "<redacted>" secrets taken from the config in
// force, a partial document refused unless merged), the same validation and
// identity rule, then which settings it changes and which of them wait for a
// restart, from the box's own modules, so no client keeps a copy of the rules.
import { IDENTITY_POINTERS } from '../config/config-manager.ts';
import { planImport } from '../config/import-plan.ts';
import { requiresRestart } from '../config/restart.ts';
import type { TandemConfig } from '../config/schema.ts';
import { changedSettings } from '../config/settings-diff.ts';
import { defaultConfig, formatIssues, validateConfig } from '../config/validate.ts';

export { formatIssues };

/** How many changed settings an answer lists before it only counts them ("more"). */
export const MAX_LISTED_CHANGES = 200;

export interface SettingChange {
  /** JSON pointer of the setting; a secret is named, its value never given. */
  readonly path: string;
  /** True when it takes effect only at the next daemon restart. */
  readonly restart: boolean;
}

export interface DryRun {
  readonly ok: true;
  readonly warnings: string[];
  /** Sorted by path, at most MAX_LISTED_CHANGES. */
  readonly changes: SettingChange[];
  /** Changed settings beyond the list. */
  readonly more: number;
  /** Importing it would store no new version. */
  readonly unchanged: boolean;
}

/** What config-import of `text` would do against `inForce` (secrets included), changing nothing. */
export function validateText(
  text: string,
  inForce: TandemConfig,
  options: { merge?: boolean; maxListed?: number } = {},
): DryRun | { ok: false; error: string } {
  const plan = planImport(text, inForce, defaultConfig(), options);
  if (!plan.ok) return { ok: false, error: formatIssues(plan.error) };
  const r = validateConfig(plan.value);
  if (!r.ok) return { ok: false, error: formatIssues(r.errors) };
  // configVersion is the box's to set: a document's own is no change.
  // The document's schema neither: an import keeps the pair's committed one (upgrade commit moves it).
  const changed = changedSettings(inForce, r.config).filter((p) => p !== '/configVersion' && p !== '/schema');
  const moved = IDENTITY_POINTERS.filter((p) => changed.includes(p));
  if (moved.length > 0)
    return {
      ok: false,
      error: moved.map((p) => `${p}: would change the pair’s identity; use config set-identity`).join('; '),
    };
  const max = options.maxListed ?? MAX_LISTED_CHANGES;
  return {
    ok: true,
    warnings: r.warnings.map((w) => `${w.path}: ${w.message}`),
    changes: changed.slice(0, max).map((path) => ({ path, restart: requiresRestart(path) })),
    more: Math.max(0, changed.length - max),
    unchanged: changed.length === 0,
  };
}
