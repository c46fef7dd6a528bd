// The answer of anything that can fail in an expected way: the value, or a
// typed error naming what is wrong. Decoders of untrusted bytes, config and
// argument checks return these instead of throwing. The one such shape in
// the firmware.

export type Result<T, E> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
