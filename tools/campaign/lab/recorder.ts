// Host side of the campaign's client (inserter.ts): starts it in tdm-client,
// turns its lines into InsertAttempt records as they come, and at the end
// asks it for the final table.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ClientProcess } from '../../lab/client/in-client.ts';
import type { FinalTable, InsertAttempt } from '../observations.ts';

const SCRIPT = fileURLToPath(new URL('./inserter.ts', import.meta.url));
/** A client line is small; anything longer is not ours and is dropped unparsed. */
const LINE_MAX = 512;

function parseAttempt(line: string): InsertAttempt | null {
  if (line.length > LINE_MAX || !line.startsWith('{"t"')) return null;
  try {
    const v = JSON.parse(line) as Partial<InsertAttempt>;
    if (typeof v.t !== 'number' || typeof v.id !== 'number' || typeof v.ok !== 'boolean') return null;
    return v.error === undefined
      ? { t: v.t, id: v.id, ok: v.ok }
      : { t: v.t, id: v.id, ok: v.ok, error: String(v.error) };
  } catch {
    return null;
  }
}

export class Recorder {
  readonly inserts: InsertAttempt[] = [];
  private readonly proc: ClientProcess;
  private seen = 0;

  private constructor(proc: ClientProcess) {
    this.proc = proc;
  }

  /** Starts the client; resolves once it had a first row acknowledged. */
  static async start(readyTimeoutMs = 60_000): Promise<Recorder> {
    const r = new Recorder(new ClientProcess(SCRIPT, ['--run', randomUUID()]));
    try {
      await r.proc.until(
        'the first acknowledged row',
        () => (r.drain().some((i) => i.ok) ? true : undefined),
        readyTimeoutMs,
      );
    } catch (err) {
      await r.proc.stop(2000);
      throw err;
    }
    return r;
  }

  /** Moves the client's new lines into `inserts`; returns the new records. */
  drain(): InsertAttempt[] {
    const lines = this.proc.stdoutLines;
    const fresh: InsertAttempt[] = [];
    for (; this.seen < lines.length; this.seen++) {
      const a = parseAttempt(lines[this.seen] ?? '');
      if (a !== null) fresh.push(a);
    }
    // Lines are consumed: the client's buffer would otherwise grow for hours.
    lines.splice(0, this.seen);
    this.seen = 0;
    this.inserts.push(...fresh);
    return fresh;
  }

  /** Stops inserting and reads the run's rows back through the VIP. */
  async finalTable(): Promise<FinalTable> {
    await this.proc.stop(180_000);
    const line = this.proc.stdoutLines.find((l) => l.startsWith('{"final"'));
    this.drain();
    if (line === undefined) throw new Error(`the client printed no final table\n${this.proc.tail()}`);
    const v = JSON.parse(line) as { final: FinalTable | null; error?: string };
    if (v.final === null) throw new Error(`the final table could not be read: ${v.error ?? 'no reason'}`);
    return v.final;
  }

  async stop(): Promise<void> {
    await this.proc.stop(2000);
  }
}
