// Text from untrusted sources made safe to show: on a terminal (tandemctl),
// the LCD, or in the event log that both display. Control characters (C0,
// DEL, C1, so ESC and every ANSI sequence) and the Unicode controls that
// reorder or break what an operator reads (bidi overrides, line and
// paragraph separators) each become '?', so the text stays visibly altered
// rather than silently shortened.

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function stripControl(text: string): string {
  return text.replace(UNSAFE, '?');
}

/**
 * A JSON value with every string (object keys too) passed through
 * stripControl. Iterative over an explicit stack, so no nesting depth can
 * overflow the call stack; the value is copied, never changed in place.
 */
export function stripControlDeep<T>(value: T): T {
  const root: { v: unknown } = { v: value };
  // Each item: a holder and the key under which a value still to be cleaned sits.
  const work: { holder: Record<string, unknown> | unknown[]; key: string | number }[] = [
    { holder: root, key: 'v' },
  ];
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    const { holder, key } = item;
    const v = (holder as Record<string | number, unknown>)[key];
    let copy: unknown = v;
    if (typeof v === 'string') copy = stripControl(v);
    else if (Array.isArray(v)) {
      const arr: unknown[] = v.slice();
      for (let i = 0; i < arr.length; i++) work.push({ holder: arr, key: i });
      copy = arr;
    } else if (v !== null && typeof v === 'object') {
      const obj: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) {
        const clean = stripControl(k);
        // defineProperty: a key "__proto__" stays a plain data key, never the prototype.
        Object.defineProperty(obj, clean, {
          value: inner,
          enumerable: true,
          writable: true,
          configurable: true,
        });
        work.push({ holder: obj, key: clean });
      }
      copy = obj;
    }
    (holder as Record<string | number, unknown>)[key] = copy;
  }
  return root.v as T;
}
