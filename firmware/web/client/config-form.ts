// The Config page's form, as data: the config's JSON Schema (GET
// /api/config/schema, TypeBox) walked into sections and fields, each with
// the input it needs and the constraints the browser checks before the box
// checks them again. Pure (no DOM), so it is unit-tested in Node; config.ts
// draws it. The schema is the box's own, but it is still read defensively:
// anything this does not understand becomes a read-only JSON field.

/** What "<redacted>" means in config-show: a secret kept as it is in force. */
export const REDACTED = '<redacted>';

export type FieldKind = 'integer' | 'number' | 'boolean' | 'text' | 'select' | 'secret' | 'json';

export interface Field {
  readonly pointer: string;
  readonly key: string;
  /** The schema's description (the key when it has none). */
  readonly label: string;
  readonly kind: FieldKind;
  /** Absent from the schema's `required`: empty means "not set". */
  readonly optional: boolean;
  /** Whether a change waits for a daemon restart (the nearest `requiresRestart`, else true). */
  readonly restart: boolean;
  readonly readOnly: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  /** A select's values; the config holds them with their own type (string or number). */
  readonly options?: readonly (string | number)[];
}

export interface Section {
  readonly pointer: string;
  readonly key: string;
  readonly title: string;
  readonly restart: boolean;
  readonly fields: readonly Field[];
  readonly sections: readonly Section[];
}

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_DEPTH = 8;

/** "…; secret" (or "…; secret; …") in a description marks a secret (config/schema.ts SECRET_PATHS). */
export const isSecretDescription = (d: string): boolean => /;\s*secret\s*(;|$)/.test(d);

/** Set by the box, never by a form: the version is raised on every accepted change. */
const READ_ONLY = new Set(['/configVersion']);

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const finite = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

function field(pointer: string, key: string, s: Obj, optional: boolean, restart: boolean): Field {
  const label = text(s['description']) ?? key;
  const base = { pointer, key, label, optional, restart, readOnly: READ_ONLY.has(pointer) };
  const enumValues = Array.isArray(s['enum'])
    ? s['enum'].filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
    : undefined;
  const type = s['type'];
  if (enumValues !== undefined && enumValues.length > 0 && (type === 'string' || type === 'integer'))
    return { ...base, kind: 'select', options: enumValues };
  if (type === 'integer' || type === 'number')
    return {
      ...base,
      kind: type,
      ...(finite(s['minimum']) !== undefined ? { min: finite(s['minimum']) } : {}),
      ...(finite(s['maximum']) !== undefined ? { max: finite(s['maximum']) } : {}),
    };
  if (type === 'boolean') return { ...base, kind: 'boolean' };
  if (type === 'string')
    return {
      ...base,
      kind: isSecretDescription(label) ? 'secret' : 'text',
      ...(finite(s['minLength']) !== undefined ? { minLength: finite(s['minLength']) } : {}),
      ...(finite(s['maxLength']) !== undefined ? { maxLength: finite(s['maxLength']) } : {}),
      ...(text(s['pattern']) !== undefined ? { pattern: text(s['pattern']) } : {}),
    };
  // Arrays (groups, users, controller ids) and anything unknown: shown, not edited here.
  return { ...base, kind: 'json', readOnly: true };
}

function section(pointer: string, key: string, s: Obj, inherited: boolean, depth: number): Section {
  const restart = typeof s['requiresRestart'] === 'boolean' ? s['requiresRestart'] : inherited;
  const props = isObj(s['properties']) ? s['properties'] : {};
  const required = new Set(
    Array.isArray(s['required']) ? s['required'].filter((r) => typeof r === 'string') : [],
  );
  const fields: Field[] = [];
  const sections: Section[] = [];
  for (const [k, child] of Object.entries(props)) {
    if (!isObj(child)) continue;
    const p = `${pointer}/${k}`;
    const childRestart = typeof child['requiresRestart'] === 'boolean' ? child['requiresRestart'] : restart;
    if (child['type'] === 'object' && isObj(child['properties']) && depth < MAX_DEPTH)
      sections.push(section(p, k, child, restart, depth + 1));
    else fields.push(field(p, k, child, !required.has(k), childRestart));
  }
  return { pointer, key, title: text(s['description']) ?? key, restart, fields, sections };
}

/** The form for a whole config schema (the root section has pointer ""). */
export function formModel(schema: unknown): Section {
  // A setting with no annotation at all needs a restart: the safe answer (config/restart.ts).
  return section('', '', isObj(schema) ? schema : {}, true, 0);
}

/** Every field of a section and those under it. */
export function allFields(s: Section): Field[] {
  return [...s.fields, ...s.sections.flatMap(allFields)];
}

/** What the box checks, checked here first: why `raw` is wrong for `f`, or null. */
export function fieldProblem(f: Field, raw: string): string | null {
  const v = raw.trim();
  if (f.readOnly || f.kind === 'boolean' || f.kind === 'json') return null;
  // A secret left empty keeps the one in force; an optional setting left empty is not set.
  if (v === '' && (f.optional || f.kind === 'secret')) return null;
  if (f.kind === 'integer' || f.kind === 'number') {
    if (v === '') return 'required';
    const n = Number(v);
    if (!Number.isFinite(n)) return 'a number';
    if (f.kind === 'integer' && !Number.isInteger(n)) return 'a whole number';
    if (f.min !== undefined && n < f.min) return `at least ${f.min}`;
    if (f.max !== undefined && n > f.max) return `at most ${f.max}`;
    return null;
  }
  if (f.kind === 'select')
    return f.options?.some((o) => String(o) === v) === true ? null : 'one of the choices';
  if (f.minLength !== undefined && [...raw].length < f.minLength) return `at least ${f.minLength} characters`;
  if (f.maxLength !== undefined && [...raw].length > f.maxLength) return `at most ${f.maxLength} characters`;
  if (f.pattern !== undefined && !matches(f.pattern, raw)) return `must match ${f.pattern}`;
  return null;
}

function matches(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return true; // A pattern this browser cannot compile: the box checks it.
  }
}

/**
 * Whether the HTML pattern attribute can carry `pattern`: browsers compile
 * it with the v flag, which refuses some schema patterns (an unescaped - or
 * / in a class); those are checked by fieldProblem instead.
 */
export function htmlPattern(pattern: string): boolean {
  try {
    new RegExp(pattern, 'v');
    return true;
  } catch {
    return false;
  }
}

/** The form value of `f` shown for the config value `v`. */
export function inputValue(f: Field, v: unknown): string {
  if (f.kind === 'json') return v === undefined ? '' : JSON.stringify(v, null, 2);
  if (f.kind === 'secret') return ''; // never put a secret (or "<redacted>") in a field
  if (v === undefined || v === null) return '';
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

/**
 * The config value for what the form holds; `before` is the value in
 * force (kept for read-only fields and for a secret left empty).
 * Undefined means "not set". Call after fieldProblem said null.
 */
export function configValue(f: Field, raw: string | boolean, before: unknown): unknown {
  if (f.readOnly || f.kind === 'json') return before;
  if (f.kind === 'boolean') return raw === true;
  const v = typeof raw === 'string' ? raw.trim() : '';
  if (f.kind === 'secret') return v === '' ? before : raw;
  // Empty text in a required setting is the empty string (e.g. an unused iSCSI host).
  if (v === '') return f.optional ? undefined : f.kind === 'text' ? '' : undefined;
  if (f.kind === 'integer' || f.kind === 'number') return Number(v);
  if (f.kind === 'select') return f.options?.find((o) => String(o) === v);
  return raw;
}

/** The value at a JSON pointer (objects only), or undefined. */
export function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const part of pointer.split('/').slice(1)) {
    if (!isObj(node) || !Object.hasOwn(node, part)) return undefined;
    node = node[part];
  }
  return node;
}

/** A copy of `root` with the value at `pointer` set (undefined: removed), objects made on the way. */
export function withValue(root: unknown, pointer: string, value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = isObj(root) ? structuredClone(root as Record<string, unknown>) : {};
  const parts = pointer.split('/').slice(1);
  const last = parts.pop();
  if (last === undefined) return out;
  let node = out;
  for (const part of parts) {
    // hasOwn: an inherited "__proto__" must not be walked into (and then written to).
    if (!Object.hasOwn(node, part) || !isObj(node[part])) define(node, part, {});
    node = node[part] as Record<string, unknown>;
  }
  if (value === undefined) delete node[last];
  else define(node, last, value);
  return out;
}

// defineProperty: a "__proto__" key stays an own key instead of changing the prototype.
function define(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}
