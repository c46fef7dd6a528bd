// The drill's steps, each timed and reported (docs/drill.md): a planned
// move of a group (switchover, then failback), the kill of its database
// and the local restart, and the mute of one heartbeat path. A step asks
// each controller for what it timed on its own clock (ops.ts, here or over
// the peer channel) and times on this controller's clock only what it
// watches itself: the release, when neither controller claims the group.
import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Type } from '@sinclair/typebox';
import { otherController, type ControllerId } from '../cluster/codes.ts';
import type { HeartbeatPath } from '../cluster/heartbeat-paths.ts';
import type { DrillRun, PeerDrillOp } from '../commands/context.ts';
import type { Outcome } from '../commands/define.ts';
import { CrashSchema, WatchSchema } from './local.ts';
import { answerOp } from './ops.ts';
import type { DrillParts } from './parts.ts';
import { TimingSchema, type LogTiming, type TimingKind } from './phases.ts';
import type { DrillPhase, DrillStep } from './report.ts';

/** How often the drill looks at who claims a group: the release's resolution. */
export const POLL_MS = 10;
/** How often a controller's log is asked whether a step is done. */
const LOG_POLL_MS = 250;
/** A move (stop, release, start) that takes longer than this has failed. */
const MOVE_DEADLINE_MS = 300_000;
/** An answer of the peer on the private link; a watch adds its own length. */
const PEER_MS = 5000;

type Answer<T> = { ok: true; value: T } | { ok: false; error: string };

const MarkSchema = Type.Object({ id: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });

function checked<S extends TSchema>(schema: S) {
  const c = TypeCompiler.Compile(schema);
  return (o: Outcome, what: string): Answer<Static<S>> => {
    if (!o.ok) return o;
    if (c.Check(o.data)) return { ok: true, value: o.data };
    const e = [...c.Errors(o.data)][0];
    return { ok: false, error: `${what}: unusable answer (${e?.path ?? ''} ${e?.message ?? ''})` };
  };
}
const asMark = checked(MarkSchema);
const asTiming = checked(TimingSchema);
const asCrash = checked(CrashSchema);
const asWatch = checked(WatchSchema);

export class DrillSteps {
  private readonly parts: DrillParts;
  private readonly run: DrillRun;
  private readonly self: ControllerId;
  private readonly peer: ControllerId;

  constructor(parts: DrillParts, run: DrillRun) {
    this.parts = parts;
    this.run = run;
    this.self = parts.self;
    this.peer = otherController(parts.self);
  }

  /** `group` handed from `from` to `to` by the switchover or failback command, on `from`. */
  async move(kind: 'switchover' | 'failback', group: string, from: ControllerId, to: ControllerId) {
    const step = (ok: boolean, detail: string, phases: DrillPhase[] = []): DrillStep => ({
      kind,
      subject: group,
      ok,
      detail: detail.slice(0, 400),
      phases,
    });
    const marks = await Promise.all([this.mark(from), this.mark(to)]);
    const [markFrom, markTo] = marks;
    if (!markFrom?.ok) return step(false, markFrom?.error ?? 'no mark');
    if (!markTo?.ok) return step(false, markTo?.error ?? 'no mark');
    const issued =
      from === this.self
        ? await this.run.move(kind, group)
        : await this.parts.peer.run(
            'drill-peer',
            { op: 'handover', move: kind, group },
            { timeoutMs: PEER_MS },
          );
    if (!issued.ok) return step(false, `${kind} ${group} refused on ${from}: ${issued.error}`);
    const deadline = this.parts.clock.monotonicMs() + MOVE_DEADLINE_MS;
    const release = await this.release(group, to, deadline);
    if (!release.ok) return step(false, release.error);
    const stop = await this.timing(from, 'stop', group, '', markFrom.value, deadline);
    if (!stop.ok) return step(false, stop.error);
    const start = await this.timing(to, 'start', group, '', markTo.value, deadline);
    if (!start.ok) return step(false, start.error);
    const pause = stop.value.totalMs + release.value + start.value.totalMs;
    return step(true, `${group} ${from} -> ${to}: the service was away for ${pause} ms`, [
      { name: 'stop', ms: stop.value.totalMs, on: from },
      { name: 'release', ms: release.value, on: this.self },
      ...start.value.phases.map((p) => ({ ...p, on: to })),
      { name: 'pause', ms: pause, on: this.self },
    ]);
  }

  /** The group's database killed on its owner; timed until its monitor restarted it there. */
  async resourceFailure(group: string, owner: ControllerId): Promise<DrillStep> {
    const step = (subject: string, ok: boolean, detail: string, phases: DrillPhase[] = []): DrillStep => ({
      kind: 'resource',
      subject,
      ok,
      detail: detail.slice(0, 400),
      phases,
    });
    const crash = asCrash(await this.ask(owner, { op: 'crash', group }), `${owner}: crash`);
    if (!crash.ok) return step(group, false, `no kill on ${owner}: ${crash.error}`);
    const { resource, type, mark, waitMs } = crash.value;
    if (resource === '') return step(group, true, `no database in ${group} on ${owner}: nothing to kill`);
    const subject = `${group}/${resource}`;
    const deadline = this.parts.clock.monotonicMs() + waitMs;
    const t = await this.timing(owner, 'restart', group, resource, mark, deadline);
    if (!t.ok) return step(subject, false, `${type} ${resource} killed on ${owner}: ${t.error}`);
    return step(
      subject,
      true,
      `${type} ${resource} killed on ${owner}, restarted there after ${t.value.totalMs} ms`,
      t.value.phases.map((p) => ({ ...p, on: owner })),
    );
  }

  /**
   * `path` muted here for half the deadtime while the peer watches it: the
   * peer must hear the silence (as long as the mute, give or take half an
   * interval), and neither the path nor this controller may go down there.
   */
  async pathCheck(path: HeartbeatPath): Promise<DrillStep> {
    const { deadtimeMs, intervalMs } = this.parts.timing;
    const muteMs = Math.floor(deadtimeMs / 2);
    // The watch begins before the mute (the request has arrived) and ends after the next beat.
    const leadMs = 2 * intervalMs;
    const watchMs = leadMs + muteMs + 4 * intervalMs;
    const watching = this.ask(this.peer, { op: 'watch', path, ms: watchMs }, watchMs + PEER_MS);
    await this.parts.clock.sleep(leadMs);
    this.parts.mute(path, muteMs);
    this.parts.events.append({
      severity: 'info',
      source: 'drill',
      code: 'DRILL_PATH_MUTED',
      message: `drill: heartbeat path ${path} muted for ${muteMs} ms (half the deadtime ${deadtimeMs} ms)`,
      data: { path, ms: muteMs },
    });
    const w = asWatch(await watching, `${this.peer}: watch`);
    const step = (ok: boolean, detail: string, phases: DrillPhase[] = []): DrillStep => ({
      kind: 'path',
      subject: path,
      ok,
      detail: detail.slice(0, 400),
      phases,
    });
    if (!w.ok) return step(false, `${path} muted ${muteMs} ms; ${w.error}`);
    const { silenceMs, path: worst, peer } = w.value;
    const heard = silenceMs >= muteMs - intervalMs / 2;
    const safe = worst !== 'down' && peer === 'alive';
    const said =
      `${path} muted here for ${muteMs} ms: ${this.peer} heard ${silenceMs} ms of silence on it ` +
      `(path ${worst}, ${this.self} ${peer} there)`;
    const why = [
      ...(heard ? [] : [`${this.peer} did not notice the silence`]),
      ...(safe ? [] : [`the mute was enough to take the path or the peer down`]),
    ];
    return step(heard && safe, why.length === 0 ? said : `${said}: ${why.join('; ')}`, [
      { name: 'silence', ms: silenceMs, on: this.peer },
    ]);
  }

  private ask(c: ControllerId, op: PeerDrillOp, timeoutMs = PEER_MS): Promise<Outcome> {
    return c === this.self
      ? answerOp(this.parts, op, this.run.log)
      : this.parts.peer.run('drill-peer', op, { timeoutMs });
  }

  private async mark(c: ControllerId): Promise<Answer<number>> {
    const m = asMark(await this.ask(c, { op: 'mark' }), `${c}: mark`);
    return m.ok ? { ok: true, value: m.value.id } : m;
  }

  /** Until no controller claims the group, then until `to` does: the release, on this clock. */
  private async release(group: string, to: ControllerId, deadline: number): Promise<Answer<number>> {
    const clock = this.parts.clock;
    let freeAt: number | undefined;
    for (;;) {
      const now = clock.monotonicMs();
      const owner = this.parts.host.groupStatus().find((g) => g.name === group)?.owner ?? null;
      if (owner === null) freeAt ??= now;
      if (owner === to) return { ok: true, value: freeAt === undefined ? 0 : Math.round(now - freeAt) };
      if (now > deadline)
        return { ok: false, error: `${group} not claimed by ${to} within ${MOVE_DEADLINE_MS} ms` };
      await clock.sleep(POLL_MS);
    }
  }

  /** What `c`'s log says of the step, asked until it is done, failed or the deadline passes. */
  private async timing(
    c: ControllerId,
    kind: TimingKind,
    group: string,
    resource: string,
    afterId: number,
    deadline: number,
  ): Promise<Answer<LogTiming>> {
    const clock = this.parts.clock;
    for (;;) {
      const op: PeerDrillOp = { op: 'timing', timing: kind, group, resource, afterId };
      const t = asTiming(await this.ask(c, op), `${c}: ${kind} timing`);
      if (!t.ok) return t;
      if (t.value.state === 'done') return t;
      if (t.value.state === 'failed') return { ok: false, error: `${c}: ${t.value.detail}` };
      if (clock.monotonicMs() > deadline)
        return { ok: false, error: `${c}: ${t.value.detail} (gave up waiting)` };
      await clock.sleep(LOG_POLL_MS);
    }
  }
}
