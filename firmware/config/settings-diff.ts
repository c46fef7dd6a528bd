// Settings as JSON pointers to leaves: which differ between two configs,
// which a document leaves out, and a merge of a partial document onto the
// config in force. Arrays (groups, resources, addresses lists) are one
// setting each: a merge replaces them whole, never item by item, because
// "the second resource of the first group" has no stable meaning.
type Json = unknown;

const isObj = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every leaf pointer of `value` (objects are walked, anything else is a leaf). */
export function leaves(value: Json, prefix = ''): string[] {
  if (!isObj(value)) return [prefix];
  return Object.keys(value).flatMap((k) => leaves(value[k], `${prefix}/${k}`));
}

/** The value at a pointer, or undefined. */
export function valueAt(root: Json, pointer: string): Json {
  let node = root;
  for (const part of pointer.split('/').slice(1)) {
    if (!isObj(node)) return undefined;
    node = node[part];
  }
  return node;
}

/** Sets the value at a pointer, creating objects on the way. */
export function setAt(root: Record<string, Json>, pointer: string, value: Json): void {
  const parts = pointer.split('/').slice(1);
  const last = parts.pop();
  if (last === undefined) return;
  let node = root;
  for (const part of parts) {
    if (!Object.hasOwn(node, part) || !isObj(node[part])) setAt(node, `/${part}`, {});
    node = node[part] as Record<string, Json>;
  }
  if (value === undefined) delete node[last];
  else
    Object.defineProperty(node, last, {
      value: structuredClone(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
}

const same = (a: Json, b: Json): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Leaf pointers whose values differ between two configs (either side may lack one). */
export function changedSettings(before: Json, after: Json): string[] {
  const all = new Set([...leaves(before), ...leaves(after)]);
  return [...all].filter((p) => p !== '' && !same(valueAt(before, p), valueAt(after, p))).sort();
}

/**
 * Settings in force that a document does not give and whose value in force
 * is not the default: importing the document as it is would reset them.
 */
export function omittedSettings(doc: Json, inForce: Json, defaults: Json): string[] {
  return leaves(inForce).filter(
    (p) => p !== '/configVersion' && !hasPath(doc, p) && !same(valueAt(inForce, p), valueAt(defaults, p)),
  );
}

function hasPath(root: Json, pointer: string): boolean {
  let node = root;
  for (const part of pointer.split('/').slice(1)) {
    if (!isObj(node) || !Object.hasOwn(node, part)) return false;
    node = node[part];
  }
  return true;
}

/** `partial` laid over `base`: objects merged key by key, anything else replaced. */
export function mergeOnto(base: Json, partial: Json): Json {
  if (!isObj(base) || !isObj(partial)) return structuredClone(partial);
  const out: Record<string, Json> = structuredClone(base);
  for (const [k, v] of Object.entries(partial)) {
    // defineProperty: a "__proto__" key stays an own key (which validation
    // then names) instead of replacing the object's prototype.
    const value = mergeOnto(Object.hasOwn(base, k) ? base[k] : undefined, v);
    Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
