// kill -9 the event log's writer in the middle of bursts, several times, and
// check that everything it reported as committed is intact afterwards.
// A lab test because it uses real processes and real time; it needs no root.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { SystemClock } from '../../hal/clock/system.ts';
import { EventLog } from '../../firmware/events/event-log.ts';
import { integrityOk, openStateDatabase } from '../../firmware/events/state-db.ts';

const repo = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'tandem-eventlog-crash-'));
const dbPath = join(dir, 'state.db');
const childPath = join(dir, 'writer.ts');

// Content is a pure function of (round, seq), so the parent can check it.
const CHILD = `
import { SystemClock } from ${JSON.stringify(pathToFileURL(join(repo, 'hal/clock/system.ts')).href)};
import { EventLog } from ${JSON.stringify(pathToFileURL(join(repo, 'firmware/events/event-log.ts')).href)};
import { openStateDatabase } from ${JSON.stringify(pathToFileURL(join(repo, 'firmware/events/state-db.ts')).href)};
const round = Number(process.argv[2]);
const db = openStateDatabase(process.argv[3]);
const log = new EventLog({ db, clock: new SystemClock(), flushIntervalMs: 3_600_000, maxBatch: 1_000_000 });
let seq = 0;
function burst() {
  const ids = [];
  for (let i = 0; i < 400; i++, seq++) {
    const e = log.append({ severity: 'info', source: 'lab', code: 'R' + round, message: round + ':' + seq,
      data: { round, seq, pad: 'x'.repeat(seq % 200) } });
    ids.push(e.id + '=' + round + ':' + seq);
  }
  log.flush();
  process.stdout.write('committed ' + ids.join(' ') + '\\n');
  setTimeout(burst, 2);
}
burst();
`;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Run the writer; once it has reported its first commit (start-up time
 * varies), kill -9 it `ms` later. Returns what it said was committed.
 */
function runAndKill(round: number, ms: number): Promise<Map<number, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childPath, String(round), dbPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      timer ??= setTimeout(() => child.kill('SIGKILL'), ms);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // A writer that never reports is a failure, not a hang.
    const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      clearTimeout(deadline);
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited on its own: ${err}`));
      const committed = new Map<number, string>();
      // Only whole lines count: a line cut by the kill was never "reported".
      for (const line of out.split('\n').slice(0, -1)) {
        for (const pair of line.replace(/^committed /, '').split(' ')) {
          const [id, tag] = pair.split('=');
          committed.set(Number(id), tag ?? '');
        }
      }
      resolve(committed);
    });
  });
}

describe('event log under kill -9', () => {
  it('keeps every committed event intact across repeated crashes', async () => {
    vi.useRealTimers();
    writeFileSync(childPath, CHILD);
    const all = new Map<number, string>();
    for (let round = 0; round < 6; round++) {
      // Varied kill times so the kill lands at different points of a batch.
      const committed = await runAndKill(round, 50 + round * 37);
      expect(committed.size).toBeGreaterThan(0);
      for (const [id, tag] of committed) {
        // An id reported committed in an earlier round must never be reused.
        expect(all.has(id)).toBe(false);
        all.set(id, tag);
      }
    }
    const db = openStateDatabase(dbPath);
    try {
      expect(integrityOk(db)).toBe(true);
      const log = new EventLog({ db, clock: new SystemClock() });
      const bad: string[] = [];
      for (const [id, tag] of all) {
        const e = log.get(id);
        const [round, seq] = tag.split(':').map(Number);
        const want = JSON.stringify({ round, seq, pad: 'x'.repeat((seq ?? 0) % 200) });
        if (!e) bad.push(`event ${id} (${tag}) lost`);
        else if (e.message !== tag || JSON.stringify(e.data) !== want)
          bad.push(`event ${id} (${tag}) altered`);
      }
      expect(bad.slice(0, 10)).toEqual([]);
      expect(all.size).toBeGreaterThan(6 * 400);
      log.close();
    } finally {
      db.close();
    }
  });
});
