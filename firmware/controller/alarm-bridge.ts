// Heartbeat alarms, one root per condition, level-triggered from
// membership's verdicts and the authentication watch:
//   - a dead peer is ONE alarm, PEER_DEAD, with its paths as children (they
//     all fall silent at the same moment; four alarms would hide the cause);
//   - a path down while the peer lives on other paths is its own
//     HB_PATH_DOWN (a cable or link fault). While the peer is only suspect
//     a newly silent path waits: it becomes a child of PEER_DEAD, or its
//     own alarm once the peer is alive again;
//   - paths whose messages arrive but fail authentication are one
//     HB_AUTH_FAILED for the peer (key or box id differ), never a cable
//     fault. Refused messages prove that something speaks as the peer, so
//     while membership calls the peer dead it is the only root, with every
//     path under it (refused or silent): after a restart with another key
//     the peer is not dead, it cannot be understood. A verdict on a dead
//     peer waits while refusals are still being judged (at most a window).
// Alarms a previous process left active are adopted, so they clear when
// their condition is found gone.
import type { AlarmManager, AlarmChild } from '../alarms/alarm-manager.ts';
import type { ControllerId } from '../cluster/codes.ts';
import type { HeartbeatPath } from '../cluster/heartbeat-paths.ts';
import type { MembershipEvent, PathState, PeerState } from '../cluster/membership.ts';
import type { AuthWatch } from './auth-watch.ts';

/** What the alarms read of membership. */
export interface MembershipView {
  readonly paths: readonly HeartbeatPath[];
  pathState(path: HeartbeatPath): PathState;
  peerState(): PeerState;
}

export class HeartbeatAlarms {
  private readonly alarms: AlarmManager;
  private readonly peer: ControllerId;
  private readonly view: MembershipView;
  private readonly auth: AuthWatch;
  /** Why each path last went down (membership's words), for the children. */
  private readonly downReason = new Map<HeartbeatPath, string>();
  private readonly pathAlarms: Set<string>;
  private peerDead: boolean;
  /** What HB_AUTH_FAILED says now ('' while not raised). */
  private authKey: string;

  constructor(alarms: AlarmManager, peer: ControllerId, view: MembershipView, auth: AuthWatch) {
    this.alarms = alarms;
    this.peer = peer;
    this.view = view;
    this.auth = auth;
    const active = alarms.active();
    this.pathAlarms = new Set(active.filter((a) => a.code === 'HB_PATH_DOWN').map((a) => a.subject));
    this.peerDead = active.some((a) => a.code === 'PEER_DEAD' && a.subject === peer);
    this.authKey = active.some((a) => a.code === 'HB_AUTH_FAILED' && a.subject === peer) ? '(adopted)' : '';
  }

  onMembership(e: MembershipEvent): void {
    if (e.type === 'path-down') this.downReason.set(e.path, e.reason);
    if (e.type === 'path-up') this.downReason.delete(e.path);
    // Membership tells a path's change before it updates the peer's verdict
    // that follows from it: judge once both are known.
    queueMicrotask(() => this.tick());
  }

  /** Every heartbeat interval, and on every membership event. */
  tick(): void {
    this.auth.poll();
    const paths = this.view.paths;
    const peerState = this.view.peerState();
    const failing = paths.filter((p) => this.auth.state(p) === 'failing');
    const judging = paths.filter((p) => this.auth.state(p) === 'suspect');
    // A PEER_DEAD already standing waits for the refusals' verdict too.
    const dead = peerState === 'dead' && failing.length === 0 && (this.peerDead || judging.length === 0);
    this.setAuth(failing, peerState === 'dead');
    this.setPeerDead(dead);
    this.setPaths(peerState, peerState === 'dead' && (dead || failing.length > 0), judging);
  }

  private setAuth(failing: readonly HeartbeatPath[], peerDead: boolean): void {
    const reasons = [...new Set(failing.flatMap((p) => Object.keys(this.auth.refusals(p))))].sort();
    const key =
      failing.length === 0 ? '' : `${failing.join(', ')} (${reasons.join(', ')})${peerDead ? ' dead' : ''}`;
    if (key === this.authKey) return;
    this.authKey = key;
    if (key === '') {
      this.alarms.clear('HB_AUTH_FAILED', this.peer);
      return;
    }
    const refused = (p: HeartbeatPath): AlarmChild => ({
      subject: p,
      message: `refused: ${this.refusalText(p)}`,
    });
    const children = peerDead
      ? this.view.paths.map((p) => (failing.includes(p) ? refused(p) : this.pathChild(p)))
      : failing.map(refused);
    this.alarms.raise('HB_AUTH_FAILED', {
      subject: this.peer,
      params: { paths: failing.join(', '), reasons: reasons.join(', ') },
      children,
    });
  }

  private setPeerDead(dead: boolean): void {
    if (dead === this.peerDead) return;
    this.peerDead = dead;
    if (!dead) {
      this.alarms.clear('PEER_DEAD', this.peer);
      return;
    }
    this.alarms.raise('PEER_DEAD', {
      subject: this.peer,
      params: { paths: this.view.paths.join(', ') },
      children: this.view.paths.map((p) => this.pathChild(p)),
    });
  }

  private setPaths(peerState: PeerState, folded: boolean, judging: readonly HeartbeatPath[]): void {
    const want = new Set<HeartbeatPath>();
    for (const p of this.view.paths) {
      const silent = this.view.pathState(p) === 'down' && this.auth.state(p) !== 'failing';
      if (folded || !silent) continue;
      // A cable fault only while the peer lives on another path and no
      // refusals are being judged there; otherwise keep what stands.
      if ((peerState === 'alive' && !judging.includes(p)) || this.pathAlarms.has(p)) want.add(p);
    }
    for (const subject of [...this.pathAlarms]) {
      if (want.has(subject as HeartbeatPath)) continue;
      this.pathAlarms.delete(subject);
      this.alarms.clear('HB_PATH_DOWN', subject);
    }
    for (const p of want) {
      if (this.pathAlarms.has(p)) continue;
      this.pathAlarms.add(p);
      this.alarms.raise('HB_PATH_DOWN', {
        subject: p,
        params: { reason: this.downReason.get(p) ?? 'nothing heard' },
      });
    }
  }

  private pathChild(p: HeartbeatPath): AlarmChild {
    const refused = Object.keys(this.auth.refusals(p)).length > 0 ? `; refused: ${this.refusalText(p)}` : '';
    const why = this.downReason.get(p);
    return {
      subject: p,
      message: `${this.view.pathState(p)}${why === undefined ? '' : `: ${why}`}${refused}`,
    };
  }

  private refusalText(p: HeartbeatPath): string {
    return Object.entries(this.auth.refusals(p))
      .map(([reason, n]) => `${n} x ${reason}`)
      .join(', ');
  }
}
