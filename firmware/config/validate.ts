// Validates an untrusted config document: schema first (Ajv's code, compiled
// ahead of time by tools/gen-config-checks.ts, filling in defaults), then the
// cross-field rules. Every problem names the field at fault as a JSON pointer.
import type { ErrorObject } from 'ajv';
import { config as schemaCheck } from './checks.generated.ts';
import { parseHooks, parseResource } from './resource-check.ts';
import { checkRules, type ConfigIssue } from './rules.ts';
import type { TandemConfig } from './schema.ts';

export type { ConfigIssue };

export type ConfigResult =
  { ok: true; config: TandemConfig; warnings: ConfigIssue[] } | { ok: false; errors: ConfigIssue[] };

function toIssue(e: ErrorObject): ConfigIssue {
  const at = e.instancePath;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String((e.params as { additionalProperty: string }).additionalProperty);
      return { path: `${at}/${name}`, message: 'is not a known setting (misspelt?)' };
    }
    case 'required': {
      const name = String((e.params as { missingProperty: string }).missingProperty);
      return { path: `${at}/${name}`, message: 'is required' };
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      return {
        path: at || '/',
        message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`,
      };
    }
    default:
      return { path: at || '/', message: e.message ?? `fails ${e.keyword}` };
  }
}

/** Never throws; never mutates `input`. */
export function validateConfig(input: unknown): ConfigResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ path: '/', message: 'must be a JSON object' }] };
  }
  // Ajv writes defaults into the object it checks; work on a copy.
  const doc: unknown = structuredClone(input);
  if (!schemaCheck(doc)) {
    return { ok: false, errors: (schemaCheck.errors ?? []).map(toIssue) };
  }
  const typed = checkResources(doc);
  if (typed.length > 0) return { ok: false, errors: typed };
  const { errors, warnings } = checkRules(doc);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: doc, warnings };
}

/**
 * Each resource and hook against its agent's schema (the same checker the
 * resource factory uses); the entries are replaced by the checked copies, so
 * the agents' defaults are filled in too.
 */
function checkResources(doc: TandemConfig): ConfigIssue[] {
  const errors: ConfigIssue[] = [];
  doc.groups.forEach((g, i) => {
    g.resources = g.resources.map((raw, j) => {
      const r = parseResource(raw, `/groups/${i}/resources/${j}`);
      if (r.ok) return r.value;
      errors.push(...r.error);
      return raw;
    });
    const hooks = parseHooks(g.hooks, `/groups/${i}/hooks`);
    if (!hooks.ok) errors.push(...hooks.error);
  });
  return errors;
}

/** The configuration the box runs with when there is no file. */
export function defaultConfig(): TandemConfig {
  const r = validateConfig({});
  if (!r.ok) throw new Error(`built-in defaults are invalid: ${formatIssues(r.errors)}`);
  return r.config;
}

export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
