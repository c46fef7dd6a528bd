// The reservation agent: a group's claim on its LUN's SCSI-3 persistent
// reservation. It comes first in a group, so no filesystem is mounted before
// the disk is ours, and it stops last. It does no polling of its own: the
// fencer (firmware/fencing) polls our registration every heartbeat interval
// and the agent reads that result. It registers no key either (a second key
// of ours would undo a fence); it only makes sure the type-5 reservation
// exists, since a PREEMPT shuts the old owner out only while one does. Its
// stop keeps the reservation for the same reason; it moves at the next fence.
import type { Fencer } from '../../fencing/fencer.ts';
import type { ActionContext, ActionTimeouts, ResourceAgent } from '../agent.ts';
import { DEFAULT_TIMEOUTS } from '../agent.ts';
import { fail, ok } from '../ocf.ts';
import type { OcfResult } from '../ocf.ts';

export interface ReservationConfig {
  readonly name: string;
  readonly luns: readonly number[];
  readonly monitorIntervalMs: number;
  readonly timeouts?: Partial<ActionTimeouts>;
}

export class ReservationAgent implements ResourceAgent {
  readonly type = 'reservation';
  readonly name: string;
  readonly timeouts: ActionTimeouts;
  readonly monitorIntervalMs: number;
  private readonly luns: readonly number[];
  private readonly fencerFor: (lun: number) => Fencer | undefined;
  private held = false;

  constructor(config: ReservationConfig, fencerFor: (lun: number) => Fencer | undefined) {
    this.name = config.name;
    this.luns = config.luns;
    this.monitorIntervalMs = config.monitorIntervalMs;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts };
    this.fencerFor = fencerFor;
  }

  validate(): Promise<OcfResult> {
    if (this.luns.length === 0) return Promise.resolve(fail('invalid-param', 'no LUNs configured'));
    const missing = this.luns.filter((l) => !this.fencerFor(l));
    return Promise.resolve(
      missing.length > 0 ? fail('not-configured', `no fencer for LUN ${missing.join(', ')}`) : ok(),
    );
  }

  async start(ctx: ActionContext): Promise<OcfResult> {
    for (const lun of this.luns) {
      if (ctx.signal.aborted) return fail('generic-error', 'aborted');
      const fencer = this.fencerFor(lun);
      if (!fencer) return fail('not-configured', `no fencer for LUN ${lun}`);
      const refused = await claim(fencer);
      if (refused !== undefined) return fail('generic-error', `LUN ${lun}: ${refused}`);
    }
    this.held = true;
    return ok(`reserved LUN ${this.luns.join(', ')}`);
  }

  stop(): Promise<OcfResult> {
    this.held = false;
    return Promise.resolve(ok());
  }

  monitor(): Promise<OcfResult> {
    if (!this.held) return Promise.resolve(fail('not-running', 'not reserved by this controller'));
    for (const lun of this.luns) {
      // Preempted: the peer has fenced us. Re-registering would fight it.
      // A disk that does not answer is the failover machine's business.
      if (this.fencerFor(lun)?.snapshot().weAreFenced === true)
        return Promise.resolve(
          fail('generic-error', `LUN ${lun}: our registration is gone (fenced by the peer)`, { hard: true }),
        );
    }
    return Promise.resolve(ok());
  }
}

/** Why this controller may not hold the LUN now, or undefined when it may. */
async function claim(fencer: Fencer): Promise<string | undefined> {
  const poll = fencer.lastPoll();
  const snap = fencer.snapshot();
  if (snap.weAreFenced || poll?.kind === 'we-are-fenced') return 'our key was preempted by the peer';
  if (poll?.kind === 'failed') return poll.error.message;
  if (snap.ourKey === null) return 'not registered on the shared disk';
  if (snap.reservation !== null) return undefined;
  const r = await fencer.reserve();
  switch (r.kind) {
    case 'reserved':
    case 'held-by-other': // type 5: every registrant may write; the holder changes at a fence
      return undefined;
    case 'we-are-fenced':
      return 'our key was preempted by the peer';
    case 'not-registered':
      return 'not registered on the shared disk';
    case 'failed':
      return r.error.message;
  }
}
