// What `npm start` prints while the simulated box runs: only what changed,
// one line each, never a full status every second. From a controller's
// status: its state, its view of the peer, a heartbeat path going down or
// coming back up (a path running late is not news until it is down), disk
// access lost or regained, and the groups it runs; from its alarms: raised,
// cleared, acknowledged (a repeat of an active alarm is not news). The full
// status is a console command away (`status A`).
import type { AlarmChange } from '../alarms/alarm-manager.ts';
import type { ControllerId } from '../cluster/codes.ts';
import { stripControl } from '../core/text.ts';
import type { ControllerStatus, GroupStatus } from '../status/snapshot.ts';

interface Seen {
  readonly state: string;
  readonly peer: string;
  readonly diskAccess: boolean;
  /** Last reported state of each path: only 'up' or 'down' count. */
  readonly paths: ReadonlyMap<string, 'up' | 'down'>;
  /** Groups this controller runs, and their state. */
  readonly groups: ReadonlyMap<string, GroupStatus['state']>;
}

/** One controller's status changes as lines (without time or controller). */
export class StatusChanges {
  private readonly controller: ControllerId;
  private seen: Seen | undefined;

  constructor(controller: ControllerId) {
    this.controller = controller;
  }

  /** Forget the last status (the controller died; its next process starts afresh). */
  reset(): void {
    this.seen = undefined;
  }

  /** What changed since the last status; for the first one, its state and what already runs. */
  next(s: ControllerStatus): string[] {
    const before = this.seen;
    const paths = new Map(before?.paths ?? []);
    const lines: string[] = [];
    if (before === undefined) lines.push(`state ${s.state}`);
    else if (before.state !== s.state) lines.push(`state ${before.state} → ${s.state}`);
    if (before !== undefined && before.peer !== s.peer.state)
      lines.push(`peer ${s.peer.id} ${before.peer} → ${s.peer.state}`);
    for (const p of s.peer.paths) {
      if (p.state !== 'up' && p.state !== 'down') continue;
      if (paths.get(p.path) === p.state) continue;
      lines.push(`${p.path} path ${p.state}`);
      paths.set(p.path, p.state);
    }
    if (before !== undefined && before.diskAccess !== s.diskAccess)
      lines.push(s.diskAccess ? 'disk access gained' : 'disk access lost');
    const groups = new Map(s.groups.filter((g) => g.owner === this.controller).map((g) => [g.name, g.state]));
    for (const [name, state] of groups)
      if (before?.groups.get(name) !== state) lines.push(`group ${name} ${state}`);
    for (const name of before?.groups.keys() ?? []) {
      if (groups.has(name)) continue;
      const owner = s.groups.find((g) => g.name === name)?.owner ?? null;
      lines.push(`group ${name} left (${owner === null ? 'nobody runs it' : `now on ${owner}`})`);
    }
    this.seen = { state: s.state, peer: s.peer.state, diskAccess: s.diskAccess, paths, groups };
    return lines.map(stripControl);
  }
}

/** An alarm change as a line, or null when it is not news (a repeat). */
export function alarmChangeLine(change: AlarmChange): string | null {
  const a = change.alarm;
  const what = `alarm #${a.id} ${a.code}${a.subject === '' ? '' : ` (${a.subject})`}`;
  switch (change.kind) {
    case 'raised':
      return stripControl(`${what} raised, ${a.severity}: ${a.message}`);
    case 'cleared':
      return stripControl(`${what} cleared`);
    case 'acknowledged':
      return stripControl(
        `${what} acknowledged${a.acknowledgedBy === null ? '' : ` by ${a.acknowledgedBy}`}`,
      );
    case 'repeated':
      return null;
  }
}
