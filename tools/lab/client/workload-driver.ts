// Host side of the client workload: start it in tdm-client, wait until it has
// had a row acknowledged, stop it and parse its WorkloadReport.
import { fileURLToPath } from 'node:url';
import { lanReport } from '../net-report.ts';
import { ClientProcess } from './in-client.ts';
import type { WorkloadEvent, WorkloadReport } from './report.ts';

const SCRIPT = fileURLToPath(new URL('./workload.ts', import.meta.url));

export interface WorkloadOptions {
  readonly intervalMs?: number;
  readonly readbackTimeoutMs?: number;
  /** The client's connect and statement timeout (default: pg-connect.ts's, 1 s). */
  readonly timeoutMs?: number;
}

export class Workload {
  private readonly proc: ClientProcess;

  private constructor(proc: ClientProcess) {
    this.proc = proc;
  }

  static async start(opts: WorkloadOptions = {}, readyTimeoutMs = 30_000): Promise<Workload> {
    const args = [
      '--interval-ms',
      String(opts.intervalMs ?? 10),
      '--readback-timeout-ms',
      String(opts.readbackTimeoutMs ?? 60_000),
      ...(opts.timeoutMs === undefined ? [] : ['--timeout-ms', String(opts.timeoutMs)]),
    ];
    const w = new Workload(new ClientProcess(SCRIPT, args));
    try {
      await w.proc.until(
        'the first acknowledged row',
        () => w.events().find((e) => e.event === 'ready'),
        readyTimeoutMs,
      );
    } catch (err) {
      await w.proc.stop(2000);
      throw new Error(`${(err as Error).message}\n${await lanReport()}`, { cause: err });
    }
    return w;
  }

  events(): WorkloadEvent[] {
    const out: WorkloadEvent[] = [];
    for (const l of this.proc.stderrLines) {
      if (!l.startsWith('{')) continue;
      try {
        out.push(JSON.parse(l) as WorkloadEvent);
      } catch {
        // partial line
      }
    }
    return out;
  }

  /** Waits until the workload has recovered from an outage that began at or after `since`. */
  recoveredAfter(since: number, timeoutMs: number): Promise<number> {
    return this.proc.until(
      `the client to recover after ${since}`,
      () => {
        const ev = this.events();
        const out = ev.find((e) => e.event === 'outage' && e.at >= since);
        if (out === undefined) return undefined;
        return ev.find((e) => e.event === 'recovered' && e.at >= out.at)?.at;
      },
      timeoutMs,
    );
  }

  /** Stops inserting, lets it read back, returns its report. */
  async finish(timeoutMs = 90_000): Promise<WorkloadReport> {
    const code = await this.proc.stop(timeoutMs);
    const report = this.proc.jsonLines<WorkloadReport>().at(-1);
    if (report === undefined)
      throw new Error(`workload exited ${code} without a report:\n${this.proc.tail()}`);
    return report;
  }
}
