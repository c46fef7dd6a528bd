// Login/Text key=value pairs (RFC 7143 §6): UTF-8 "key=value\0" records.
import { IscsiProtocolError } from './errors.ts';

// §6.1: key names use letters, digits, '.', '-', '+', '@', '_' and at most 63 bytes.
const KEY_PATTERN = /^[A-Za-z0-9.\-+@_]{1,63}$/;
/** §6.1: a value may be up to 255 bytes unless the key says otherwise; 8192 covers CHAP challenges. */
const MAX_VALUE_LENGTH = 8192;

export type TextPairs = ReadonlyArray<readonly [string, string]>;

export function encodeText(pairs: TextPairs, device = 'iscsi'): Buffer {
  const parts: string[] = [];
  for (const [key, value] of pairs) {
    if (!KEY_PATTERN.test(key))
      throw new IscsiProtocolError(device, `invalid text key ${JSON.stringify(key)}`);
    if (value.includes('\0')) throw new IscsiProtocolError(device, `value of ${key} contains NUL`);
    if (Buffer.byteLength(value) > MAX_VALUE_LENGTH) {
      throw new IscsiProtocolError(device, `value of ${key} longer than ${MAX_VALUE_LENGTH} bytes`);
    }
    parts.push(`${key}=${value}\0`);
  }
  return Buffer.from(parts.join(''), 'utf8');
}

/** Decode into a Map; duplicate keys, missing '=', bad names or unterminated records are errors. */
export function decodeText(data: Uint8Array, device = 'iscsi'): Map<string, string> {
  const out = new Map<string, string>();
  if (data.length === 0) return out;
  if (data[data.length - 1] !== 0) throw new IscsiProtocolError(device, 'text data not NUL-terminated');
  const text = Buffer.from(data.buffer, data.byteOffset, data.length - 1).toString('utf8');
  for (const record of text.split('\0')) {
    const eq = record.indexOf('=');
    if (eq <= 0)
      throw new IscsiProtocolError(device, `text record without key=value: ${JSON.stringify(record)}`);
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (!KEY_PATTERN.test(key))
      throw new IscsiProtocolError(device, `invalid text key ${JSON.stringify(key)}`);
    if (value.length > MAX_VALUE_LENGTH) {
      throw new IscsiProtocolError(device, `value of ${key} longer than ${MAX_VALUE_LENGTH} bytes`);
    }
    if (out.has(key)) throw new IscsiProtocolError(device, `duplicate text key ${key}`);
    out.set(key, value);
  }
  return out;
}

/** Parse a numeric key value (decimal or 0x hex) in [min, max]. */
export function numericValue(key: string, value: string, min: number, max: number, device = 'iscsi'): number {
  const n = /^0x[0-9a-f]+$/i.test(value)
    ? parseInt(value.slice(2), 16)
    : /^\d+$/.test(value)
      ? Number(value)
      : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new IscsiProtocolError(device, `${key}=${value} is not a number in [${min}, ${max}]`);
  }
  return n;
}

export function booleanValue(key: string, value: string, device = 'iscsi'): boolean {
  if (value === 'Yes') return true;
  if (value === 'No') return false;
  throw new IscsiProtocolError(device, `${key}=${value} is neither Yes nor No`);
}
