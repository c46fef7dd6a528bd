// Web users' passwords as scrypt records, the one format web.users[].hash
// holds: scrypt$N$r$p$<salt base64>$<key base64>. Parameters are stored in
// the record so they can be raised later, but a record is only accepted
// within bounds (a hostile N or r would make every login cost seconds or
// gigabytes), and the comparison takes the same time wherever it differs.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export const SCRYPT = { N: 16384, r: 8, p: 1, saltBytes: 16, keyBytes: 32 } as const;

/** Bounds a stored record must keep, whoever wrote it (the config is replicated and imported). */
const MAX_N = 1 << 17;
const MAX_R = 16;
const MAX_P = 4;
const MAX_KEY = 64;

export interface ScryptRecord {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly key: Buffer;
}

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The record's parts, or why it is not a record we accept. */
export function parseRecord(
  record: unknown,
): { ok: true; value: ScryptRecord } | { ok: false; error: string } {
  const bad = (why: string) => ({ ok: false as const, error: `password record: ${why}` });
  if (typeof record !== 'string' || record.length > 256)
    return bad('must be a string of at most 256 characters');
  const parts = record.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return bad('must be scrypt$N$r$p$salt$key');
  const [, n, r, p, salt, key] = parts as [string, string, string, string, string, string];
  if (![n, r, p].every((x) => /^[1-9][0-9]{0,6}$/.test(x)))
    return bad('N, r and p must be positive integers');
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  if (N < 2 || N > MAX_N || (N & (N - 1)) !== 0) return bad(`N must be a power of two up to ${MAX_N}`);
  if (R > MAX_R || P > MAX_P) return bad(`r must be at most ${MAX_R} and p at most ${MAX_P}`);
  if (!B64.test(salt) || !B64.test(key)) return bad('salt and key must be base64');
  const saltBuf = Buffer.from(salt, 'base64');
  const keyBuf = Buffer.from(key, 'base64');
  if (saltBuf.length < 8 || keyBuf.length < 16 || keyBuf.length > MAX_KEY)
    return bad(`salt must be at least 8 bytes and key 16 to ${MAX_KEY}`);
  return { ok: true, value: { N, r: R, p: P, salt: saltBuf, key: keyBuf } };
}

function derive(
  password: string,
  salt: Buffer,
  N: number,
  r: number,
  p: number,
  len: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem: 128 * N * r bytes plus slack, the most a record within bounds needs.
    scrypt(
      password.normalize('NFC'),
      salt,
      len,
      { N, r, p, maxmem: 256 * N * r + 1024 * 1024 },
      (err, key) => (err === null ? resolve(key) : reject(err)),
    );
  });
}

/** A new record for `password`, with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SCRYPT.saltBytes);
  const key = await derive(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keyBytes);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether `password` matches `record`; false (never a throw) for a malformed record. */
export async function verifyPassword(password: string, record: unknown): Promise<boolean> {
  const parsed = parseRecord(record);
  if (!parsed.ok) return false;
  const { N, r, p, salt, key } = parsed.value;
  const got = await derive(password, salt, N, r, p, key.length);
  return timingSafeEqual(got, key);
}

/**
 * A record no password matches, for an unknown user name: verifying against
 * it costs what a real check costs, so the answer's time does not tell
 * whether the name exists.
 */
export const DUMMY_RECORD = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;
