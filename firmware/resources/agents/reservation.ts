// The reservation agent: holds SCSI-3 persistent reservations on the group's
// LUNs for as long as the group runs here. It comes first in a group, so no
// filesystem is mounted before the disks are ours, and it stops last. The
// reservation manager itself (firmware/fencing) does the SCSI; this agent
// only needs the few methods below, one port per LUN.
import type { ActionContext, ActionTimeouts, ResourceAgent } from '../agent.ts';
import { DEFAULT_TIMEOUTS } from '../agent.ts';
import { fail, ok } from '../ocf.ts';
import type { OcfResult } from '../ocf.ts';

/** What this agent needs from the reservation manager for one LUN. */
export interface ReservationPort {
  register(): Promise<void>;
  reserve(): Promise<void>;
  release(): Promise<void>;
  /** True while our key is still registered (not preempted by the peer). */
  verifyOwnRegistration(): Promise<boolean>;
}

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
  private readonly portFor: (lun: number) => ReservationPort | undefined;
  private held = false;

  constructor(config: ReservationConfig, portFor: (lun: number) => ReservationPort | undefined) {
    this.name = config.name;
    this.luns = config.luns;
    this.monitorIntervalMs = config.monitorIntervalMs;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts };
    this.portFor = portFor;
  }

  validate(): Promise<OcfResult> {
    if (this.luns.length === 0) return Promise.resolve(fail('invalid-param', 'no LUNs configured'));
    const missing = this.luns.filter((l) => !this.portFor(l));
    return Promise.resolve(
      missing.length > 0
        ? fail('not-configured', `no reservation manager for LUN ${missing.join(', ')}`)
        : ok(),
    );
  }

  async start(ctx: ActionContext): Promise<OcfResult> {
    for (const lun of this.luns) {
      if (ctx.signal.aborted) return fail('generic-error', 'aborted');
      const port = this.portFor(lun);
      if (!port) return fail('not-configured', `no reservation manager for LUN ${lun}`);
      try {
        // Register (ignore-existing-key) then reserve: both idempotent in SPC-4.
        await port.register();
        await port.reserve();
      } catch (err) {
        return fail('generic-error', `LUN ${lun}: ${message(err)}`);
      }
    }
    this.held = true;
    return ok(`reserved LUN ${this.luns.join(', ')}`);
  }

  async stop(): Promise<OcfResult> {
    const errors: string[] = [];
    // Release every LUN even if one fails, so as little as possible stays held.
    for (const lun of [...this.luns].reverse()) {
      try {
        await this.portFor(lun)?.release();
      } catch (err) {
        errors.push(`LUN ${lun}: ${message(err)}`);
      }
    }
    this.held = false;
    return errors.length > 0 ? fail('generic-error', errors.join('; ')) : ok();
  }

  async monitor(): Promise<OcfResult> {
    if (!this.held) return fail('not-running', 'not reserved by this controller');
    for (const lun of this.luns) {
      try {
        if (!(await this.portFor(lun)?.verifyOwnRegistration())) {
          // Preempted: the peer has fenced us. Re-registering would fight it.
          return fail('generic-error', `LUN ${lun}: our registration is gone (fenced by the peer?)`, {
            hard: true,
          });
        }
      } catch (err) {
        return fail('generic-error', `LUN ${lun}: ${message(err)}`);
      }
    }
    return ok();
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
