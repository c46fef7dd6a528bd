// The last drill's report, kept in the state directory (written by
// fsync+rename, store/atomic-file.ts) so the next drill, even after a
// reboot, compares itself with it. Read back as untrusted: bounded JSON,
// then the report's schema; a file that fails either is reported, never
// compared with.
import { join } from 'node:path';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { parseBoundedJson } from '../core/bounded-json.ts';
import type { JsonLimits } from '../core/limits.ts';
import { DocumentStore, type Validator } from '../store/document-store.ts';
import { ReportSchema, type DrillReport } from './report.ts';

/** A report of 128 steps of 16 phases fits; nothing legitimate comes near. */
export const REPORT_LIMITS: JsonLimits = { bytes: 256 * 1024, depth: 8, entries: 512 };

const checkReport = TypeCompiler.Compile(ReportSchema);

export const validateReport: Validator<DrillReport> = (value) => {
  if (checkReport.Check(value)) return { ok: true, value };
  const errors = [...checkReport.Errors(value)]
    .slice(0, 5)
    .map((e) => `drill report${e.path || '/'}: ${e.message}`);
  return { ok: false, error: errors };
};

export function reportStore(stateDir: string): DocumentStore<DrillReport> {
  return new DocumentStore(
    join(stateDir, 'drill', 'last.json'),
    validateReport,
    (text) => parseBoundedJson(text, REPORT_LIMITS, 'drill report'),
    REPORT_LIMITS.bytes,
  );
}
