// Converting events to and from their stored form, with size limits so one
// runaway caller cannot fill the flash with a single event.
import { SEVERITIES, isSeverity, type EventInput, type JsonValue, type LoggedEvent } from './types.ts';
import { errorMessage } from '../../hal/errors.ts';

export const MAX_TEXT = 256;
export const MAX_MESSAGE = 4096;
export const MAX_DATA_BYTES = 16_384;

export interface EventRow {
  id: number;
  ts: number;
  mono_ms: number;
  severity: number;
  source: string;
  code: string;
  message: string;
  data: string;
}

function clip(text: unknown, max: number): string {
  const s = typeof text === 'string' ? text : String(text);
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** Event data must be JSON; anything else is replaced by a note, not thrown. */
export function safeData(data: unknown): JsonValue {
  if (data === undefined) return null;
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (err) {
    return { unserialisable: errorMessage(err) };
  }
  if (json === undefined) return null;
  if (json.length > MAX_DATA_BYTES) return { truncated: true, bytes: json.length };
  return JSON.parse(json) as JsonValue;
}

export function normaliseInput(input: EventInput): Omit<LoggedEvent, 'id' | 'ts' | 'monoMs'> {
  if (!isSeverity(input.severity)) {
    throw new TypeError(
      `event severity must be one of ${SEVERITIES.join('|')}, got ${String(input.severity)}`,
    );
  }
  return {
    severity: input.severity,
    source: clip(input.source, MAX_TEXT),
    code: clip(input.code, MAX_TEXT),
    message: clip(input.message, MAX_MESSAGE),
    data: safeData(input.data),
  };
}

export function rowToEvent(row: EventRow): LoggedEvent {
  let data: JsonValue;
  try {
    data = JSON.parse(row.data) as JsonValue;
  } catch {
    data = { corrupt: row.data.slice(0, 200) };
  }
  return {
    id: Number(row.id),
    ts: Number(row.ts),
    monoMs: Number(row.mono_ms),
    severity: SEVERITIES[row.severity] ?? 'critical',
    source: row.source,
    code: row.code,
    message: row.message,
    data,
  };
}
