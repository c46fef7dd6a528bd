// The event log as CSV (RFC 4180) for the events page's export. A cell that
// a spreadsheet would take for a formula (= + - @ at its start) gets a
// leading apostrophe: event text comes from outside (resource output, peer
// names) and must stay text wherever it is opened.

const COLUMNS = ['id', 'time', 'severity', 'source', 'code', 'message'] as const;

function cell(value: unknown): string {
  let text =
    value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function eventsCsv(events: readonly unknown[]): string {
  const rows = [COLUMNS.join(',')];
  for (const e of events) {
    if (typeof e !== 'object' || e === null) continue;
    const r = e as Record<string, unknown>;
    const ts = typeof r['ts'] === 'number' ? new Date(r['ts']).toISOString() : '';
    rows.push([r['id'], ts, r['severity'], r['source'], r['code'], r['message']].map(cell).join(','));
  }
  return rows.join('\r\n') + '\r\n';
}
