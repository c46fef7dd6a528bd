// The health check a newly installed slot must pass before it is marked
// good (br2rauc#5: "booted" is not "works"). Every check is named, so a
// failure says which: the daemon is up (we run it), the peer's heartbeats
// are heard, the groups can start here, the web and front panels are up.
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import type { StatusReport } from '../status/snapshot.ts';

export interface HealthReport {
  readonly pass: boolean;
  /** One line per check that did not pass. */
  readonly failing: readonly string[];
}

export interface HealthProbes {
  readonly report: () => Promise<StatusReport | null>;
  /** The web panel's HTTPS port on this controller, null when the web panel is off. */
  readonly webPort: number | null;
  /** The front panel process's pid file, null when the board has no panel. */
  readonly panelPidFile: string | null;
}

/** The checks on one status report (pure, so every rule is unit-tested). */
export function statusChecks(r: StatusReport): string[] {
  const failing: string[] = [];
  if (r.peer.state !== 'alive')
    failing.push(`peer ${r.peer.id}'s heartbeats are not heard (peer ${r.peer.state})`);
  if (!r.diskAccess) failing.push('no access to the shared disk: groups could not start here');
  for (const g of r.groups)
    if (g.failedOn.includes(r.controller)) failing.push(`group ${g.name} failed on this controller`);
  for (const t of r.takeover)
    if (t.by === r.controller && !t.possible)
      failing.push(`could not take over from ${t.from}: ${t.why.join('; ') || 'refused'}`);
  return failing;
}

function tcpOpen(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    const done = (up: boolean): void => {
      s.destroy();
      resolve(up);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

function pidAlive(file: string): boolean {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function checkHealth(p: HealthProbes): Promise<HealthReport> {
  const r = await p.report();
  const failing = r === null ? ['the daemon gives no status'] : statusChecks(r);
  if (p.webPort !== null && !(await tcpOpen(p.webPort, 2000)))
    failing.push(`the web panel does not answer on port ${p.webPort}`);
  if (p.panelPidFile !== null && !pidAlive(p.panelPidFile))
    failing.push('the front panel process is not running');
  return { pass: failing.length === 0, failing };
}
