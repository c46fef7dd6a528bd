// What the heartbeat runtime sees becomes event-log lines and alarms: path
// and peer changes, transport ups and downs, peer restarts, mailbox orders,
// and a periodic summary of refused heartbeats (line noise must not flood
// the log, so rejections are never logged one by one). The alarms are
// alarm-bridge.ts's, judged on every membership event and every interval.
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import type { AlarmManager } from '../alarms/alarm-manager.ts';
import type { ControllerId } from '../cluster/codes.ts';
import type { HeartbeatTiming } from '../cluster/timing.ts';
import type { EventInput, EventSink } from '../events/types.ts';
import type { HeartbeatRuntime } from '../heartbeat/runtime.ts';
import { HeartbeatAlarms } from './alarm-bridge.ts';
import { AuthWatch } from './auth-watch.ts';
import { membershipEvent, transportEvent } from './event-bridge.ts';
import { ProtocolAlarm } from './protocol-alarm.ts';

export class HeartbeatLog {
  private readonly runtime: HeartbeatRuntime;
  private readonly events: EventSink;
  private readonly clock: Clock;
  private readonly summaryMs: number;
  private readonly timing: HeartbeatTiming;
  private summaryTimer: TimerHandle | undefined;
  private alarmTimer: TimerHandle | undefined;
  private lastSummary = '';

  constructor(
    runtime: HeartbeatRuntime,
    events: EventSink,
    clock: Clock,
    summaryMs: number,
    timing: HeartbeatTiming,
  ) {
    this.runtime = runtime;
    this.events = events;
    this.clock = clock;
    this.summaryMs = summaryMs;
    this.timing = timing;
  }

  start(peer: ControllerId, alarms: AlarmManager): void {
    const log = (e: EventInput): void => {
      this.events.append(e);
    };
    const rt = this.runtime;
    // Refusals must go on for a deadtime, the time a silent path takes to be called down.
    const auth = new AuthWatch(() => rt.counters(), this.clock, this.timing.deadtimeMs);
    const view = {
      paths: rt.paths,
      pathState: rt.membership.pathState.bind(rt.membership),
      peerState: rt.membership.peerState.bind(rt.membership),
    };
    const hbAlarms = new HeartbeatAlarms(alarms, peer, view, auth);
    const protocolAlarm = new ProtocolAlarm(alarms, peer, rt.membership);
    rt.on('membership', (e) => {
      log(membershipEvent(e));
      hbAlarms.onMembership(e);
      if (e.type === 'peer-versions') protocolAlarm.tick();
    });
    this.alarmTimer = this.clock.every(this.timing.intervalMs, () => {
      hbAlarms.tick();
      protocolAlarm.tick();
    });
    rt.on('transport', (info) => log(transportEvent(info)));
    rt.on('peer-restart', (info) =>
      log({
        severity: 'notice',
        source: 'cluster',
        code: 'PEER_INCARNATION',
        message: `peer ${peer} runs incarnation ${info.incarnation} (first heard on ${info.path})`,
        data: info,
      }),
    );
    rt.on('mailbox', (m) =>
      log({
        severity: 'warning',
        source: 'cluster',
        code: 'MAILBOX_ORDER',
        message: `witness mailbox: ${m.cmd} from ${m.from} (seq ${m.seq})`,
        data: { cmd: m.cmd, from: m.from, seq: m.seq },
      }),
    );
    rt.on('notice', (n) =>
      log({
        severity: 'notice',
        source: 'heartbeat',
        code: n.code,
        message: `${n.path}: ${n.detail}`,
        data: n,
      }),
    );
    this.summaryTimer = this.clock.every(this.summaryMs, () => this.summarise());
  }

  stop(): void {
    this.summaryTimer?.cancel();
    this.alarmTimer?.cancel();
    this.summarise();
  }

  private summarise(): void {
    const c = this.runtime.counters();
    // Below the intake: serial frames lost to line noise, datagrams from strangers.
    const transport: Record<string, Record<string, number>> = {};
    for (const [path, counters] of Object.entries(c.drivers)) {
      for (const [name, n] of Object.entries(counters)) {
        if (n > 0 && /Errors$|wrongSource/.test(name)) (transport[path] ??= {})[name] = n;
      }
    }
    // A dead peer's unchanged witness slot is re-read every interval and
    // refused as a 'duplicate': expected, so it alone does not make a new summary.
    const changes = structuredClone(c.rejected) as Record<string, Record<string, number>>;
    if (changes['disk'] !== undefined) delete changes['disk']['duplicate'];
    const key = JSON.stringify([changes, transport]);
    if (key === this.lastSummary || key === '[{},{}]' || key === '[{"disk":{}},{}]') return;
    this.lastSummary = key;
    this.events.append({
      severity: 'info',
      source: 'heartbeat',
      code: 'HB_REJECTIONS',
      message: 'heartbeats refused so far, by path and reason',
      data: { rejected: c.rejected, transport, accepted: c.accepted },
    });
  }
}
