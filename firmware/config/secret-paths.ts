// Secret settings as concrete pointers. SECRET_PATHS (schema.ts) writes an
// array item's secret with N for the index (/web/users/N/hash); this expands
// N over the arrays a document really holds, so redaction, the restore of
// redacted secrets on import and the dry run treat every item's secret.
import { SECRET_PATHS } from './schema.ts';

/** Every secret pointer that `doc` can hold, with each N replaced by the indexes present. */
export function secretPointers(doc: unknown): string[] {
  const out: string[] = [];
  for (const pattern of SECRET_PATHS) expand(doc, pattern.split('/').slice(1), '', out);
  return out;
}

function expand(doc: unknown, parts: readonly string[], prefix: string, out: string[]): void {
  const n = parts.indexOf('N');
  if (n < 0) {
    out.push(`${prefix}/${parts.join('/')}`);
    return;
  }
  const head = `${prefix}/${parts.slice(0, n).join('/')}`;
  const list = valueAt(doc, head);
  if (!Array.isArray(list)) return;
  for (let i = 0; i < list.length; i++) expand(doc, parts.slice(n + 1), `${head}/${i}`, out);
}

/** `pointer`'s pattern in SECRET_PATHS (indexes as N), to tell which secret it is. */
export function secretPattern(pointer: string): string {
  return pointer.replace(/\/\d+(?=\/|$)/g, '/N');
}

/**
 * Where `inForce` holds the secret `pointer` names in `candidate`. An array
 * item whose objects have a `name` (web users) is matched by that name, so
 * a reordered or shortened list keeps each user's own secret; otherwise the
 * same index.
 */
export function counterpart(candidate: unknown, inForce: unknown, pointer: string): string | undefined {
  const parts = pointer.split('/').slice(1);
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (/^\d+$/.test(part)) {
      const here = valueAt(candidate, `${out}/${part}`);
      const there = valueAt(inForce, out);
      const name = isObj(here) ? here['name'] : undefined;
      if (typeof name === 'string' && Array.isArray(there)) {
        const j = there.findIndex((item) => isObj(item) && item['name'] === name);
        if (j < 0) return undefined;
        out += `/${j}`;
        continue;
      }
    }
    out += `/${part}`;
  }
  return out;
}

/** The value at a pointer, through objects and (by index) arrays; undefined if absent. */
export function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const part of pointer.split('/').slice(1)) {
    if (Array.isArray(node) && /^\d+$/.test(part)) node = node[Number(part)];
    else if (isObj(node) && Object.hasOwn(node, part)) node = node[part];
    else return undefined;
  }
  return node;
}

/** Sets (or, for undefined, deletes) the value at a pointer whose holder exists; else nothing. */
export function setAt(root: unknown, pointer: string, value: unknown): void {
  const parts = pointer.split('/').slice(1);
  const last = parts.pop();
  const holder = valueAt(root, parts.length === 0 ? '' : `/${parts.join('/')}`);
  if (last === undefined || !isObj(holder)) return;
  if (value === undefined) delete holder[last];
  else
    Object.defineProperty(holder, last, {
      value: structuredClone(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
