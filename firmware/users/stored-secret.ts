// The box's web secret before a config exists (first boot): made once, kept
// in the state directory (0600, written whole by fsync and rename) so the
// initial admin password printed on the console stays the same across
// restarts, and merged into the config that is imported (web.secret), so the
// password printed stays valid after it. Once a config holds a secret, the
// config's is the one in force (first-start.ts); this file is only read while
// the controller is unconfigured.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { LIMITS } from '../core/limits.ts';
import { DocumentStore } from '../store/document-store.ts';

const HEX64 = /^[0-9a-f]{64}$/;

interface SecretDocument {
  readonly secret: string;
}

const check = (v: unknown) =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.keys(v).length === 1 &&
  typeof (v as { secret?: unknown }).secret === 'string' &&
  HEX64.test((v as { secret: string }).secret)
    ? { ok: true as const, value: v as SecretDocument }
    : { ok: false as const, error: ['must be {"secret": 64 lowercase hex digits}'] };

/** The file in the state directory. */
export const storedSecretPath = (stateDir: string): string => join(stateDir, 'web-secret.json');

/**
 * The stored secret, made and stored first when there is none. An unreadable
 * file is said (`problem`) and replaced: nothing could use it.
 */
export async function ensureStoredSecret(
  stateDir: string,
): Promise<{ secret: string; made: boolean; problem?: string }> {
  const store = new DocumentStore<SecretDocument>(
    storedSecretPath(stateDir),
    check,
    undefined,
    LIMITS.stateFileBytes,
  );
  const read = await store.read();
  if (read.kind === 'ok') return { secret: read.value.secret, made: false };
  const secret = randomBytes(32).toString('hex');
  const written = await store.write({ secret });
  if (!written.ok) throw new Error(`${store.path}: ${written.error.join('; ')}`);
  return {
    secret,
    made: true,
    ...(read.kind === 'invalid' ? { problem: `${store.path} was unusable (${read.errors.join('; ')})` } : {}),
  };
}
