// What an edited or imported config changes against the one in force, and
// which of those changes wait for a daemon restart: the same rules as the
// box's (config/settings-diff.ts: arrays are one setting each; and
// config/restart.ts: the nearest `requiresRestart` in the schema, true when
// none), recomputed here because the page may import no firmware values.
// Pure, so it is unit-tested in Node. Secrets are never shown, only named.
import { isSecretDescription, REDACTED } from './config-form.ts';

export interface Change {
  readonly pointer: string;
  /** The setting's description, when the schema has one. */
  readonly label: string;
  /** JSON text of each side, "(not set)" when absent, "(secret)" for a secret. */
  readonly before: string;
  readonly after: string;
  readonly restart: boolean;
}

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Bounds the walk of an untrusted document (an imported file). */
const MAX_DEPTH = 16;
const MAX_CHANGES = 500;

function leaves(v: unknown, prefix: string, out: Set<string>, depth: number): void {
  if (!isObj(v) || depth > MAX_DEPTH) {
    out.add(prefix);
    return;
  }
  for (const k of Object.keys(v)) leaves(v[k], `${prefix}/${k}`, out, depth + 1);
}

function at(root: unknown, pointer: string): unknown {
  let node = root;
  for (const part of pointer.split('/').slice(1)) {
    if (!isObj(node) || !Object.hasOwn(node, part)) return undefined;
    node = node[part];
  }
  return node;
}

/** The schema node for a pointer (array indexes through `items`), and what it says about restarts. */
function schemaFacts(schema: unknown, pointer: string): { restart: boolean; description: string } {
  let node: unknown = schema;
  let restart = true;
  let description = '';
  for (const part of pointer.split('/').slice(1)) {
    if (!isObj(node)) break;
    const next: unknown =
      /^\d+$/.test(part) && isObj(node['items'])
        ? node['items']
        : isObj(node['properties'])
          ? node['properties'][part]
          : undefined;
    if (!isObj(next)) {
      // Not in the schema (an unknown key in a file): no description of a parent borrowed.
      description = '';
      break;
    }
    node = next;
    if (typeof next['requiresRestart'] === 'boolean') restart = next['requiresRestart'];
    description = typeof next['description'] === 'string' ? next['description'] : '';
  }
  return { restart, description };
}

/** The one secret inside an array item (/web/users/N/hash): masked wherever a users list is shown. */
const maskHashes = (k: string, v: unknown): unknown =>
  k === 'hash' && typeof v === 'string' ? '(secret)' : v;

/** JSON text, or null for a value too deep to write (a hostile file: the box refuses it anyway). */
function json(v: unknown, replacer?: (k: string, v: unknown) => unknown): string | null {
  try {
    return JSON.stringify(v, replacer) ?? null;
  } catch {
    return null;
  }
}

function shown(v: unknown, secret: boolean): string {
  if (v === undefined) return '(not set)';
  if (secret) return v === REDACTED ? '(secret, unchanged)' : '(secret)';
  const s = json(v, maskHashes) ?? '(too deep to show)';
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** Every setting that differs, sorted by pointer, at most 500 (configVersion left out: the box sets it). */
export function configChanges(schema: unknown, before: unknown, after: unknown): Change[] {
  const all = new Set<string>();
  leaves(before, '', all, 0);
  leaves(after, '', all, 0);
  const out: Change[] = [];
  for (const p of [...all].sort()) {
    if (p === '' || p === '/configVersion') continue;
    const b = at(before, p);
    const a = at(after, p);
    // A redacted secret in a document means "the one in force": no change.
    if (a === REDACTED && b !== undefined) continue;
    const jb = json(b);
    if (jb !== null && jb === json(a)) continue;
    const facts = schemaFacts(schema, p);
    const secret = isSecretDescription(facts.description);
    out.push({
      pointer: p,
      label: facts.description,
      before: shown(b, secret),
      after: shown(a, secret),
      restart: facts.restart,
    });
    if (out.length >= MAX_CHANGES) break;
  }
  return out;
}

/** `partial` laid over `base` as config-import --merge does (config/settings-diff.ts mergeOnto). */
export function mergedOnto(base: unknown, partial: unknown, depth = 0): unknown {
  if (!isObj(base) || !isObj(partial) || depth > MAX_DEPTH) return partial;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(partial))
    Object.defineProperty(out, k, {
      value: mergedOnto(Object.hasOwn(base, k) ? base[k] : undefined, v, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

/** An export's config, or a bare config: what an imported file would put in force. */
export function documentConfig(doc: unknown): unknown {
  return isObj(doc) && doc['format'] === 'tandem-config' ? doc['config'] : doc;
}
