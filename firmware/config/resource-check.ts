// Checks one resource, hook list or restart policy against its agent's schema
// (resource-schemas.ts), with the same Ajv + TypeBox approach as the config
// validator (the code compiled ahead of time, checks.generated.ts): defaults
// filled in, every error naming its field. The config validator runs it on
// every groups[].resources entry, and the resource factory on what it
// builds, so the two can never disagree.
import type { ErrorObject } from 'ajv';
import type { Result } from '../core/result.ts';
import * as compiled from './checks.generated.ts';
import { PATH } from './patterns.ts';
import type { HookSettings, ResourceSettings, RestartPolicySettings } from './resource-schemas.ts';

export interface Issue {
  readonly path: string;
  readonly message: string;
}

const checkers = {
  reservation: compiled.reservation,
  filesystem: compiled.filesystem,
  vip: compiled.vip,
  postgresql: compiled.postgresql,
  service: compiled.service,
  dummy: compiled.dummy,
} as const;
const checkHook = compiled.hook;
const checkRestart = compiled.restart;

export const RESOURCE_TYPES = Object.keys(checkers) as (keyof typeof checkers)[];

function issues(base: string, errors: readonly ErrorObject[] | null | undefined): Issue[] {
  return (errors ?? []).map((e) => {
    const extra =
      e.keyword === 'additionalProperties'
        ? `/${String((e.params as { additionalProperty: string }).additionalProperty)}`
        : e.keyword === 'required'
          ? `/${String((e.params as { missingProperty: string }).missingProperty)}`
          : '';
    const message =
      e.keyword === 'additionalProperties'
        ? 'is not a known setting (misspelt?)'
        : e.keyword === 'required'
          ? 'is required'
          : e.keyword === 'enum'
            ? `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
            : (e.message ?? `fails ${e.keyword}`);
    return { path: `${base}${e.instancePath}${extra}`, message };
  });
}

function commandIssues(base: string, cmd: readonly string[]): Issue[] {
  return cmd[0] !== undefined && new RegExp(PATH).test(cmd[0])
    ? []
    : [{ path: `${base}/0`, message: 'must be an absolute path to an executable' }];
}

/** Checks one resource entry (a copy is validated; defaults are filled in). */
export function parseResource(raw: unknown, base = ''): Result<ResourceSettings, Issue[]> {
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !Object.hasOwn(checkers, type)) {
    return {
      ok: false,
      error: [
        {
          path: `${base}/type`,
          message: `must be one of ${RESOURCE_TYPES.map((t) => JSON.stringify(t)).join(', ')}`,
        },
      ],
    };
  }
  const check = checkers[type as keyof typeof checkers];
  const doc: unknown = structuredClone(raw);
  if (!check(doc)) return { ok: false, error: issues(base, check.errors) };
  const value: ResourceSettings = doc;
  if (value.type === 'service') {
    const errors = (['start', 'stop', 'status'] as const).flatMap((k) =>
      commandIssues(`${base}/${k}`, value[k]),
    );
    if (errors.length > 0) return { ok: false, error: errors };
  }
  return { ok: true, value };
}

export function parseHooks(raw: unknown, base = '/hooks'): Result<HookSettings[], Issue[]> {
  if (raw === undefined) return { ok: true, value: [] };
  if (!Array.isArray(raw)) return { ok: false, error: [{ path: base, message: 'must be an array' }] };
  const out: HookSettings[] = [];
  const errors: Issue[] = [];
  raw.forEach((h: unknown, i) => {
    const doc: unknown = structuredClone(h);
    if (!checkHook(doc)) {
      errors.push(...issues(`${base}/${i}`, checkHook.errors));
    } else {
      errors.push(...commandIssues(`${base}/${i}/command`, doc.command));
      out.push(doc);
    }
  });
  return errors.length > 0 ? { ok: false, error: errors } : { ok: true, value: out };
}

export function parseRestartPolicy(raw: unknown, base = '/restart'): Result<RestartPolicySettings, Issue[]> {
  const doc: unknown = structuredClone(raw ?? {});
  return checkRestart(doc)
    ? { ok: true, value: doc }
    : { ok: false, error: issues(base, checkRestart.errors) };
}
