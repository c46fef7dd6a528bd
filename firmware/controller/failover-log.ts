// The failover machine's transitions and the fencer's key changes become
// event-log lines: every transition, REBOOT_REQUESTED on a self-fence, and
// PR_REGISTERED / PR_KEY_PREEMPTED as the evidence of who fenced whom. The
// alarms they raise are failover-alarms.ts's job.
import type { EventSink } from '../events/types.ts';
import type { TransitionRecord } from '../failover/machine.ts';
import type { Fencer } from '../fencing/fencer.ts';

export function logTransition(r: TransitionRecord, watchdog: boolean, events: EventSink): void {
  events.append({
    severity: r.outcome === 'invalid' ? 'error' : 'info',
    source: 'failover',
    code: 'FAILOVER_TRANSITION',
    message: `${r.from} --${r.event}--> ${r.to} (${r.outcome}): ${r.text}`,
    data: {
      from: r.from,
      to: r.to,
      event: r.event,
      outcome: r.outcome,
      actions: [...r.actions],
      groups: r.groups === undefined ? null : [...r.groups],
      atMonoMs: r.atMs,
    },
  });
  if (r.to === 'self-fenced' && r.from !== 'self-fenced') {
    events.append({
      severity: 'critical',
      source: 'failover',
      code: 'REBOOT_REQUESTED',
      message: watchdog
        ? 'self-fenced: watchdog no longer petted, the board will be reset'
        : 'self-fenced: no watchdog configured, reboot this controller by hand',
      data: { watchdog },
    });
  }
}

const hex = (k: bigint): string => `0x${k.toString(16).padStart(16, '0')}`;

/** Our key's life on the shared LUN, one line each. */
export function logKeys(fencer: Fencer, events: EventSink): void {
  fencer.on('registered', (i) =>
    events.append({
      severity: 'notice',
      source: 'fencing',
      code: 'PR_REGISTERED',
      message: `registered key ${hex(i.key)} on the shared LUN`,
      data: { key: hex(i.key), removedOrphans: i.removedOrphans.map(hex) },
    }),
  );
  fencer.on('we-are-fenced', (i) =>
    events.append({
      severity: 'critical',
      source: 'fencing',
      code: 'PR_KEY_PREEMPTED',
      message: `our key ${hex(i.key)} is gone from the shared LUN (seen by ${i.detectedBy}): the peer fenced us`,
      data: { key: hex(i.key), detectedBy: i.detectedBy },
    }),
  );
}
