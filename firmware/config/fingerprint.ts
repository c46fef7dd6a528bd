// A content hash of a config that ignores configVersion and key order, so
// two controllers can tell "same settings" from "different settings".
import { createHash } from 'node:crypto';
import type { TandemConfig } from './schema.ts';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort())
      out[key] = canonical((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Of a config, or of a document as stored (migrations.ts storedForm). */
export function configHash(config: TandemConfig | Record<string, unknown>): string {
  const { configVersion: _ignored, ...content } = config;
  return createHash('sha256')
    .update(JSON.stringify(canonical(content)))
    .digest('hex');
}
