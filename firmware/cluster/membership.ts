// Is the peer alive? Fed only with heartbeats that the acceptor has already
// authenticated and de-duplicated, per path, and driven by the Clock.
//
// Each path is 'init' (nothing heard yet, initdead running), 'up', 'late'
// (silent for warntime) or 'down' (silent for deadtime). The peer is:
//   alive   while ANY path is up;
//   dead    only when EVERY path is down (a single dead path is an alarm);
//   unknown while every path is still in init;
//   suspect otherwise (no path up, at least one not yet down).
//
// Coming back up (hysteresis): a path that is down while the peer is alive
// on another path is up again only after HEAL_BEATS consecutive good beats
// (each within two intervals of the one before), not on the first: a heal
// that stutters (a cable half in, a session that drops again) would
// otherwise show up, late, down, up. It counts beats, not time, so a steady
// path is up one interval after its first good beat. Without another path
// up, the first beat is proof of life and brings its path up at once: the
// peer's liveness, and so every takeover decision, never waits for it.
//
// Stall guard: when a path timer fires we judge one tick later (after(0)).
// After an event-loop stall, Node runs due timers before it reads the
// sockets and serial port, so judging at once would blame the peer for
// heartbeats that are sitting unread in our own buffers.
//
// Stalls of our own (stall-watch.ts): time this process did not run is not
// the peer's silence. Each stall moves a path's verdicts later by its own
// length, and not before two intervals after it ended (fresh evidence: the
// witness slot is only read when our own beat runs); never by more than one
// deadtime in all. So a dead peer is still declared at most one deadtime
// later than without the guard (docs/heartbeat.md, Stalls of our own).
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import type { Heartbeat, HeartbeatEnvelope } from './message.ts';
import { compatibleProtocol, formatProtocol, PROTOCOL, type SoftwareVersions } from './protocol.ts';
import { maskHas, pathsToMask, type HeartbeatPath } from './heartbeat-paths.ts';
import { StallWatch } from './stall-watch.ts';
import type { HeartbeatTiming } from './timing.ts';

export type PathState = 'init' | 'up' | 'late' | 'down';

/** Consecutive good beats that bring a down path back up while the peer lives on another path. */
export const HEAL_BEATS = 2;
/** After a stall of our own, a path's verdict waits this many intervals for fresh evidence. */
export const STALL_GRACE_INTERVALS = 2;
export type PeerState = 'unknown' | 'alive' | 'suspect' | 'dead';

export type MembershipEvent =
  | {
      readonly type: 'path-up' | 'path-late' | 'path-down';
      readonly path: HeartbeatPath;
      readonly atMs: number;
      readonly lastHeardMs: number | undefined;
      readonly reason: string;
    }
  | {
      readonly type: 'peer-alive' | 'peer-suspect' | 'peer-dead';
      readonly atMs: number;
      readonly lastHeardMs: number | undefined;
      readonly reason: string;
      readonly paths: Readonly<Partial<Record<HeartbeatPath, PathState>>>;
    }
  | {
      readonly type: 'one-way';
      readonly path: HeartbeatPath;
      readonly atMs: number;
      /** false when a previously reported one-way path is symmetric again. */
      readonly oneWay: boolean;
      readonly direction: 'peer-cannot-hear-us' | 'we-cannot-hear-peer' | undefined;
      readonly reason: string;
    }
  | {
      /** This process itself did not run for stalledMs (its timers fired that late). */
      readonly type: 'self-stall';
      readonly atMs: number;
      readonly stalledMs: number;
      readonly reason: string;
    }
  | {
      /**
       * The peer's software as its heartbeats tell it changed (or was heard
       * for the first time). compatible: false while it speaks another
       * protocol major: alive, but not understood (docs/heartbeat.md, Versions).
       */
      readonly type: 'peer-versions';
      readonly atMs: number;
      readonly versions: SoftwareVersions;
      readonly previous: SoftwareVersions | undefined;
      readonly compatible: boolean;
      readonly reason: string;
    };

export interface MembershipOptions {
  readonly clock: Clock;
  /** Validated with validateTiming() by the caller (config load). */
  readonly timing: HeartbeatTiming;
  /** The paths this box has (lan is optional). */
  readonly paths: readonly HeartbeatPath[];
}

interface PathRecord {
  state: PathState;
  lastHeardMs: number | undefined;
  timer: TimerHandle | undefined;
  oneWay: boolean;
  oneWaySinceMs: number | undefined;
  /** Consecutive good beats heard while the path is down (HEAL_BEATS). */
  healBeats: number;
}

export class Membership {
  private readonly clock: Clock;
  private readonly timing: HeartbeatTiming;
  private readonly records = new Map<HeartbeatPath, PathRecord>();
  private readonly listeners = new Set<(e: MembershipEvent) => void>();
  private readonly reportListeners = new Set<() => void>();
  private peer: PeerState = 'unknown';
  private peerReport: number | undefined;
  private startedAtMs: number | undefined;
  private lastMessage: Heartbeat | undefined;
  private versions: SoftwareVersions | undefined;
  private readonly stalls: StallWatch;

  constructor(opts: MembershipOptions) {
    if (opts.paths.length === 0) throw new RangeError('membership needs at least one path');
    this.clock = opts.clock;
    this.timing = opts.timing;
    const t = opts.timing;
    // A tick one interval late is a stall: shorter delays are jitter, and
    // cannot move a verdict that has warntime >= 2 intervals to go.
    this.stalls = new StallWatch({
      clock: opts.clock,
      tickMs: t.intervalMs,
      marginMs: t.intervalMs,
      keepMs: Math.max(t.initdeadMs, 2 * t.deadtimeMs),
    });
    this.stalls.on((stall) => {
      const stalledMs = Math.round(stall.endMs - stall.startMs);
      this.emit({
        type: 'self-stall',
        atMs: stall.endMs,
        stalledMs,
        reason: `this controller did not run for ${stalledMs} ms: not counted as the peer's silence`,
      });
    });
    for (const p of opts.paths) {
      this.records.set(p, {
        state: 'init',
        lastHeardMs: undefined,
        timer: undefined,
        oneWay: false,
        oneWaySinceMs: undefined,
        healBeats: 0,
      });
    }
  }

  on(listener: (e: MembershipEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Told when an accepted heartbeat says something new about the peer's state
   * or groups: a release or a claim is acted on at once, not at the next
   * interval's reconcile.
   */
  onReport(listener: () => void): () => void {
    this.reportListeners.add(listener);
    return () => this.reportListeners.delete(listener);
  }

  /** Start the initdead timers. Heartbeats before start() are ignored. */
  start(): void {
    if (this.startedAtMs !== undefined) return;
    this.startedAtMs = this.clock.monotonicMs();
    this.stalls.start();
    for (const path of this.records.keys()) this.schedule(path);
  }

  stop(): void {
    for (const r of this.records.values()) r.timer?.cancel();
    this.stalls.stop();
    this.startedAtMs = undefined;
  }

  /** An accepted heartbeat arrived on `path` (at `receivedAtMs`, default now). */
  heartbeat(path: HeartbeatPath, msg: Heartbeat, receivedAtMs?: number): void {
    const r = this.record(path);
    if (this.startedAtMs === undefined) return;
    const now = this.clock.monotonicMs();
    const at = Math.min(receivedAtMs ?? now, now);
    if (r.lastHeardMs !== undefined && at < r.lastHeardMs) return; // older than what we know
    this.countHealBeat(r, at);
    r.lastHeardMs = at;
    // Paths deliver at their own pace (the witness slot is read once an
    // interval, a serial frame may queue): a beat older than the report we
    // hold proves the path alive but must not roll the report back. A claim
    // that seemed to vanish would read as a release, and the group would
    // start here while the peer runs it (the lab caught a switchover whose
    // old holder took the group back 11 ms later).
    const newer = isNewerReport(this.lastMessage, msg);
    const changed = newer && reportChanged(this.lastMessage, msg);
    if (newer) {
      this.lastMessage = msg;
      this.peerReport = msg.health.seesPeer;
      this.noteVersions(msg.versions);
    }
    this.judge(path, `heartbeat seq ${msg.seq} on ${path}`);
    this.checkOneWay();
    if (changed) for (const l of this.reportListeners) l();
  }

  /**
   * An accepted heartbeat of another protocol major arrived on `path`: its
   * envelope is authenticated, so the path is alive like with any other
   * heartbeat (an upgrade in progress is not a dead peer), but nothing of
   * its body is known. The last compatible message stays what latestMessage()
   * returns; the peer's own view of the paths is forgotten.
   */
  incompatibleHeartbeat(path: HeartbeatPath, envelope: HeartbeatEnvelope, receivedAtMs?: number): void {
    const r = this.record(path);
    if (this.startedAtMs === undefined) return;
    const now = this.clock.monotonicMs();
    const at = Math.min(receivedAtMs ?? now, now);
    if (r.lastHeardMs !== undefined && at < r.lastHeardMs) return;
    this.countHealBeat(r, at);
    r.lastHeardMs = at;
    this.peerReport = undefined;
    this.noteVersions(envelope.versions);
    const v = envelope.versions;
    this.judge(
      path,
      `heartbeat seq ${envelope.seq} on ${path} (protocol ${formatProtocol(v.protocol)}, firmware ${v.firmwareVersion})`,
    );
    this.checkOneWay();
  }

  /** The peer's software as its latest accepted heartbeat told it; undefined: never heard. */
  peerVersions(): SoftwareVersions | undefined {
    return this.versions;
  }

  /**
   * False while the peer's latest heartbeat speaks another protocol major:
   * the peer is alive but not understood, and neither controller takes over
   * from the other. True when never heard.
   */
  peerCompatible(): boolean {
    return this.versions === undefined || compatibleProtocol(this.versions.protocol);
  }

  private noteVersions(next: SoftwareVersions): void {
    const prev = this.versions;
    if (
      prev !== undefined &&
      prev.protocol.major === next.protocol.major &&
      prev.protocol.minor === next.protocol.minor &&
      prev.firmwareVersion === next.firmwareVersion &&
      prev.configSchema === next.configSchema
    )
      return;
    this.versions = next;
    // Told when it changes, and at the first hearing when the protocol is not
    // exactly ours (another minor: information once; another major: the alarm).
    const sameProtocol = next.protocol.major === PROTOCOL.major && next.protocol.minor === PROTOCOL.minor;
    if (prev === undefined && sameProtocol) return;
    const compatible = compatibleProtocol(next.protocol);
    const theirs = `protocol ${formatProtocol(next.protocol)} (firmware ${next.firmwareVersion}, config schema ${next.configSchema})`;
    this.emit({
      type: 'peer-versions',
      atMs: this.clock.monotonicMs(),
      versions: next,
      previous: prev,
      compatible,
      reason: compatible
        ? `the peer runs ${theirs}, this controller ${formatProtocol(PROTOCOL)}`
        : `the peer runs ${theirs}, incompatible with this controller's ${formatProtocol(PROTOCOL)}`,
    });
  }

  pathState(path: HeartbeatPath): PathState {
    return this.record(path).state;
  }

  peerState(): PeerState {
    return this.peer;
  }

  /**
   * How long since the last beat on any path, our own stalls counted in
   * (undefined: never heard). What the isolation rule needs: an active must
   * not keep its groups longer because it was stalled itself.
   */
  silentForMs(): number | undefined {
    const heard = [...this.records.values()].map((r) => r.lastHeardMs ?? -Infinity);
    const last = Math.max(...heard);
    return Number.isFinite(last) ? this.clock.monotonicMs() - last : undefined;
  }

  /** Paths on which we currently hear the peer: goes into our own heartbeat. */
  seenMask(): number {
    return pathsToMask(
      [...this.records].filter(([, r]) => r.state === 'up' || r.state === 'late').map(([p]) => p),
    );
  }

  /** The peer's own view (its seesPeer mask) from its latest heartbeat. */
  peerSeesUsMask(): number | undefined {
    return this.peerReport;
  }

  isOneWay(path: HeartbeatPath): boolean {
    return this.record(path).oneWay;
  }

  latestMessage(): Heartbeat | undefined {
    return this.lastMessage;
  }

  private record(path: HeartbeatPath): PathRecord {
    const r = this.records.get(path);
    if (r === undefined) throw new RangeError(`path ${path} is not configured`);
    return r;
  }

  /** Recompute a path's state from its silence, emit changes, re-arm its timer. */
  private judge(path: HeartbeatPath, reason: string): void {
    const r = this.record(path);
    const now = this.clock.monotonicMs();
    const next = this.stateOf(r, now);
    if (next !== r.state) {
      const wasUp = r.state === 'up';
      r.state = next;
      const type =
        next === 'up' ? 'path-up' : next === 'late' ? 'path-late' : next === 'down' ? 'path-down' : undefined;
      if (type !== undefined) this.emit({ type, path, atMs: now, lastHeardMs: r.lastHeardMs, reason });
      if (wasUp) this.releaseHealing(r);
    }
    this.schedule(path);
    this.updatePeer(reason);
  }

  /**
   * A path left up: a path held down by its heal streak may now be the only
   * one the peer is heard on, and then its last beat is proof of life (see
   * top of file), judged before the peer's verdict is.
   */
  private releaseHealing(left: PathRecord): void {
    for (const [p, r] of this.records)
      if (r !== left && r.state === 'down' && r.healBeats > 0 && !this.upElsewhere(r))
        this.judge(
          p,
          `heard on ${p} ${this.clock.monotonicMs() - (r.lastHeardMs ?? 0)} ms ago, the last path up left`,
        );
  }

  /** A good beat at `at` on `r`, before lastHeardMs takes it: extend or restart the streak. */
  private countHealBeat(r: PathRecord, at: number): void {
    if (r.state !== 'down') {
      r.healBeats = 0;
      return;
    }
    const consecutive = r.lastHeardMs !== undefined && at - r.lastHeardMs < 2 * this.timing.intervalMs;
    r.healBeats = consecutive ? r.healBeats + 1 : 1;
  }

  /** The peer is up on a path other than `r`: a beat on `r` proves nothing new about its life. */
  private upElsewhere(r: PathRecord): boolean {
    for (const other of this.records.values()) if (other !== r && other.state === 'up') return true;
    return false;
  }

  private stateOf(r: PathRecord, now: number): PathState {
    if (r.state === 'down' && r.healBeats < HEAL_BEATS && this.upElsewhere(r)) return 'down';
    if (r.lastHeardMs === undefined) {
      return now >= this.verdictAt(this.startedAtMs ?? now, this.timing.initdeadMs) ? 'down' : 'init';
    }
    if (now >= this.verdictAt(r.lastHeardMs, this.timing.deadtimeMs)) return 'down';
    if (now >= this.verdictAt(r.lastHeardMs, this.timing.warntimeMs)) return 'late';
    return 'up';
  }

  /**
   * When a silence since `sinceMs` reaches `thresholdMs`, our own stalls
   * (stall-watch.ts) not counted: later by the time we were stalled, and
   * not before STALL_GRACE_INTERVALS after the last stall ended; never more
   * than one deadtime later than without stalls.
   */
  private verdictAt(sinceMs: number, thresholdMs: number): number {
    const due = sinceMs + thresholdMs;
    const lastEnd = this.stalls.lastEndAfter(sinceMs);
    if (lastEnd === undefined) return due;
    const fresh = lastEnd + STALL_GRACE_INTERVALS * this.timing.intervalMs;
    return Math.min(due + this.timing.deadtimeMs, Math.max(due + this.stalls.stalledSince(sinceMs), fresh));
  }

  private schedule(path: HeartbeatPath): void {
    const r = this.record(path);
    r.timer?.cancel();
    r.timer = undefined;
    const started = this.startedAtMs;
    if (started === undefined) return;
    let due: number;
    switch (r.state) {
      case 'init':
        due = this.verdictAt(started, this.timing.initdeadMs);
        break;
      case 'up':
        due = this.verdictAt(r.lastHeardMs ?? started, this.timing.warntimeMs);
        break;
      case 'late':
        due = this.verdictAt(r.lastHeardMs ?? started, this.timing.deadtimeMs);
        break;
      case 'down':
        return;
    }
    const delay = Math.max(0, due - this.clock.monotonicMs());
    r.timer = this.clock.after(delay, () => {
      // A timer of ours that fired late is a stall the watch may not have
      // ticked on yet: record it before the verdict.
      this.stalls.check();
      // Stall guard (see top of file): let queued input be read first.
      r.timer = this.clock.after(0, () => {
        this.judge(path, this.silenceReason(path));
        this.checkOneWay();
      });
    });
  }

  private silenceReason(path: HeartbeatPath): string {
    const r = this.record(path);
    const now = this.clock.monotonicMs();
    return r.lastHeardMs === undefined
      ? `nothing heard on ${path} within initdead ${this.timing.initdeadMs} ms`
      : `nothing heard on ${path} for ${now - r.lastHeardMs} ms`;
  }

  private updatePeer(reason: string): void {
    const states = [...this.records.values()].map((r) => r.state);
    const next: PeerState = states.includes('up')
      ? 'alive'
      : states.every((s) => s === 'down')
        ? 'dead'
        : states.every((s) => s === 'init')
          ? 'unknown'
          : 'suspect';
    if (next === this.peer) return;
    this.peer = next;
    if (next === 'unknown') return;
    const paths: Partial<Record<HeartbeatPath, PathState>> = {};
    for (const [p, r] of this.records) paths[p] = r.state;
    const heard = [...this.records.values()].map((r) => r.lastHeardMs ?? -Infinity);
    const last = Math.max(...heard);
    const type = next === 'alive' ? 'peer-alive' : next === 'dead' ? 'peer-dead' : 'peer-suspect';
    this.emit({
      type,
      atMs: this.clock.monotonicMs(),
      lastHeardMs: Number.isFinite(last) ? last : undefined,
      reason: next === 'dead' ? `every path down (last: ${reason})` : reason,
      paths,
    });
  }

  /**
   * A path is one-way when exactly one side hears the other on it. The
   * condition must hold for warntime before it is reported, because the
   * peer's report lags ours by up to an interval whenever a path changes.
   * The peer's report is only trusted while the peer is not dead.
   */
  private checkOneWay(): void {
    const now = this.clock.monotonicMs();
    for (const [path, r] of this.records) {
      const weHear = r.state === 'up' || r.state === 'late';
      const report = this.peer === 'dead' ? undefined : this.peerReport;
      const peerHears = report !== undefined && maskHas(report, path);
      const asymmetric = report !== undefined && weHear !== peerHears;
      if (!asymmetric) {
        r.oneWaySinceMs = undefined;
        if (r.oneWay) {
          r.oneWay = false;
          this.emit({
            type: 'one-way',
            path,
            atMs: now,
            oneWay: false,
            direction: undefined,
            reason: 'symmetric again',
          });
        }
        continue;
      }
      r.oneWaySinceMs ??= now;
      if (!r.oneWay && now - r.oneWaySinceMs >= this.timing.warntimeMs) {
        r.oneWay = true;
        const direction = weHear ? 'peer-cannot-hear-us' : 'we-cannot-hear-peer';
        this.emit({
          type: 'one-way',
          path,
          atMs: now,
          oneWay: true,
          direction,
          reason: `${direction} on ${path}`,
        });
      }
    }
  }

  private emit(e: MembershipEvent): void {
    for (const l of this.listeners) l(e);
  }
}

/**
 * Whether `next` was sent after `prev`: a later seq of the same incarnation,
 * or another incarnation (a restart: the acceptor refuses the incarnations
 * it retired, so another one is the peer's new process).
 */
function isNewerReport(prev: Heartbeat | undefined, next: Heartbeat): boolean {
  return prev === undefined || prev.incarnation !== next.incarnation || next.seq > prev.seq;
}

/** Whether `next` tells something new about the peer's state or groups. */
function reportChanged(prev: Heartbeat | undefined, next: Heartbeat): boolean {
  return (
    prev === undefined ||
    prev.state !== next.state ||
    prev.groups.length !== next.groups.length ||
    prev.groups.some((g, i) => g !== next.groups[i])
  );
}
