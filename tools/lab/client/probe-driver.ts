// Host side of the takeover probe: start it before a fault, then ask when the
// VIP first answered ARP from a given MAC, and when PostgreSQL first answered
// `SELECT 1` from a postmaster started after the fault.
import { fileURLToPath } from 'node:url';
import { ClientProcess } from './in-client.ts';
import type { ArpEvent, DbUpEvent, ProbeEvent } from './probe-events.ts';

const SCRIPT = fileURLToPath(new URL('./probe.ts', import.meta.url));

export class TakeoverProbe {
  private readonly proc: ClientProcess;

  private constructor(proc: ClientProcess) {
    this.proc = proc;
  }

  /** Starts the probe; resolves once it has seen an ARP reply from anyone (`requireDb`: and a SELECT). */
  static async start(requireDb: boolean, timeoutMs = 15_000): Promise<TakeoverProbe> {
    const p = new TakeoverProbe(new ClientProcess(SCRIPT, []));
    try {
      await p.proc.until(
        'the probe to see the VIP',
        () => {
          const ev = p.events();
          const arp = ev.some((e) => e.kind === 'arp');
          const db = ev.some((e) => e.kind === 'db-up');
          return arp && (db || !requireDb) ? true : undefined;
        },
        timeoutMs,
      );
    } catch (err) {
      await p.stop();
      throw err;
    }
    return p;
  }

  events(): ProbeEvent[] {
    return this.proc.jsonLines<ProbeEvent>();
  }

  /** First ARP reply from `mac` at or after `since`. */
  arpFrom(mac: string, since: number, timeoutMs: number): Promise<ArpEvent> {
    return this.proc.until(
      `an ARP reply from ${mac}`,
      () => this.events().find((e): e is ArpEvent => e.kind === 'arp' && e.mac === mac && e.t >= since),
      timeoutMs,
    );
  }

  /** First SELECT answered by a postmaster started at or after `since`. */
  dbFromNewPostmaster(since: number, timeoutMs: number): Promise<DbUpEvent> {
    return this.proc.until(
      'SELECT 1 from a postmaster started after the fault',
      () =>
        this.events().find((e): e is DbUpEvent => e.kind === 'db-up' && e.t >= since && e.started >= since),
      timeoutMs,
    );
  }

  /** Every MAC that answered ARP at or after `since`. */
  arpMacsSince(since: number): string[] {
    return [
      ...new Set(
        this.events()
          .filter((e): e is ArpEvent => e.kind === 'arp' && e.t >= since)
          .map((e) => e.mac),
      ),
    ];
  }

  async stop(): Promise<void> {
    await this.proc.stop(3000);
  }
}
