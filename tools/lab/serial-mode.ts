// The serial proxy's modes and their wire syntax, shared by the proxy daemon
// and its control client. Control lines come from a socket: parse strictly.
import { LabError } from './errors.ts';

export type SerialMode =
  | { readonly kind: 'pass' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'corrupt'; readonly fraction: number }
  | { readonly kind: 'delay'; readonly ms: number };

export function parseSerialMode(words: readonly string[]): SerialMode {
  const [kind, arg, extra] = words;
  if (extra !== undefined) throw new LabError('usage', `serial mode: unexpected "${extra}"`);
  switch (kind) {
    case 'pass':
    case 'drop':
      if (arg !== undefined) throw new LabError('usage', `serial mode ${kind} takes no argument`);
      return { kind };
    case 'corrupt': {
      const fraction = Number(arg);
      if (arg === undefined || !/^[0-9.]+$/.test(arg) || !(fraction >= 0 && fraction <= 1)) {
        throw new LabError(
          'usage',
          `serial mode corrupt needs a FRACTION between 0 and 1, got ${JSON.stringify(arg)}`,
        );
      }
      return { kind, fraction };
    }
    case 'delay': {
      const ms = Number(arg);
      if (arg === undefined || !/^[0-9]+$/.test(arg) || ms > 600_000) {
        throw new LabError(
          'usage',
          `serial mode delay needs MS, an integer 0..600000, got ${JSON.stringify(arg)}`,
        );
      }
      return { kind, ms };
    }
    case undefined:
    default:
      throw new LabError(
        'usage',
        `serial mode must be pass|drop|corrupt FRACTION|delay MS, got ${JSON.stringify(kind)}`,
      );
  }
}

export function formatSerialMode(m: SerialMode): string {
  switch (m.kind) {
    case 'pass':
    case 'drop':
      return m.kind;
    case 'corrupt':
      return `corrupt ${m.fraction}`;
    case 'delay':
      return `delay ${m.ms}`;
  }
}

/** Flips one random bit in about `fraction` of the bytes (a noisy line). */
export function corruptBytes(data: Buffer, fraction: number, random: () => number = Math.random): Buffer {
  const out = Buffer.from(data);
  for (let i = 0; i < out.length; i++) {
    if (random() < fraction) out[i] = (out[i] ?? 0) ^ (1 << Math.floor(random() * 8));
  }
  return out;
}
