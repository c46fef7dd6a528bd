// The virtual-IP agent: the service address clients use. Before taking it,
// ask the LAN whether anyone already answers for it (a stranger, or a peer
// that is not really dead): taking it anyway would split the clients between
// two hosts. After adding it, announce it with gratuitous ARPs as IPaddr2
// (5 at 200 ms) and keepalived (then 5 more after 5 s) do, because a single
// announcement is easily lost and stale ARP caches can outlive a failover by
// hours (keepalived #20, #166, #893).
import type { TimerHandle } from '../../../hal/clock/clock.ts';
import type { NetControl } from '../../../hal/net/net.ts';
import type { ActionContext, ActionTimeouts, ResourceAgent } from '../agent.ts';
import { DEFAULT_TIMEOUTS } from '../agent.ts';
import { fail, ok } from '../ocf.ts';
import type { OcfResult } from '../ocf.ts';
import { errorMessage } from '../../../hal/errors.ts';

export interface GarpPolicy {
  readonly count: number;
  readonly intervalMs: number;
  /** A second burst this long after the first; 0 = none. */
  readonly refreshDelayMs: number;
  readonly refreshCount: number;
}

export const DEFAULT_GARP: GarpPolicy = { count: 5, intervalMs: 200, refreshDelayMs: 5000, refreshCount: 5 };

export interface VipConfig {
  readonly name: string;
  readonly address: string;
  readonly prefix: number;
  readonly interface: string;
  readonly garp: GarpPolicy;
  /** How long to wait for an ARP reply from a current holder. */
  readonly probeTimeoutMs: number;
  /** false: the group starts the resources after it alongside it (group.ts). Default true. */
  readonly ordered?: boolean;
  readonly monitorIntervalMs: number;
  readonly timeouts?: Partial<ActionTimeouts>;
}

export class VipAgent implements ResourceAgent {
  readonly type = 'vip';
  readonly name: string;
  readonly timeouts: ActionTimeouts;
  readonly monitorIntervalMs: number;
  readonly ordered: boolean;
  private readonly config: VipConfig;
  private readonly net: NetControl;
  private readonly cidr: string;
  private refresh: TimerHandle | null = null;
  /** Failures of the background bursts, for the next monitor to report. */
  private refreshError = '';
  /** Bumped by start and stop: a burst of an earlier start reports nothing. */
  private generation = 0;

  constructor(config: VipConfig, net: NetControl) {
    this.config = config;
    this.net = net;
    this.name = config.name;
    this.cidr = `${config.address}/${config.prefix}`;
    this.monitorIntervalMs = config.monitorIntervalMs;
    this.ordered = config.ordered ?? true;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts };
  }

  async validate(): Promise<OcfResult> {
    try {
      await this.net.linkState(this.config.interface);
      return ok();
    } catch (err) {
      return fail('not-configured', `interface ${this.config.interface}: ${(err as Error).message}`);
    }
  }

  async start(ctx: ActionContext): Promise<OcfResult> {
    const { interface: ifname, address } = this.config;
    this.generation++;
    this.refreshError = '';
    const link = await this.net.linkState(ifname);
    if (!link.operUp) return fail('generic-error', `${ifname} link is down`);
    const held = await this.holds();
    if (!held) {
      const mac = await this.net.probeAddressInUse(ifname, address, this.config.probeTimeoutMs);
      if (mac !== null) {
        return fail('generic-error', `${address} is already answered by ${mac}; not taking it`, {
          alarm: { code: 'VIP_IN_USE', subject: address, params: { mac } },
        });
      }
      if (ctx.signal.aborted) return fail('generic-error', 'aborted');
      await this.net.addAddress(ifname, this.cidr);
    }
    // Announce even when we already held it: a restart is exactly when
    // clients may have been pointed elsewhere. The first announcement is part
    // of the start; the repeats go on in the background, so the resources
    // after us (the database) do not wait the burst out.
    const { garp } = this.config;
    await this.net.sendGratuitousArp(ifname, address, { count: 1, intervalMs: garp.intervalMs });
    this.scheduleRepeats(ctx);
    return ok(held ? `already held; re-announced on ${ifname}` : `added ${this.cidr} on ${ifname}`);
  }

  async stop(): Promise<OcfResult> {
    this.generation++;
    this.refresh?.cancel();
    this.refresh = null;
    await this.net.removeAddress(this.config.interface, this.cidr);
    return ok();
  }

  async monitor(): Promise<OcfResult> {
    const { interface: ifname } = this.config;
    if (!(await this.holds())) return fail('not-running', `${this.cidr} is not on ${ifname}`);
    const link = await this.net.linkState(ifname);
    if (!link.operUp || !link.carrier) return fail('generic-error', `${ifname} link is down`);
    if (this.refreshError) {
      const why = this.refreshError;
      this.refreshError = '';
      return fail('generic-error', `refresh ARP burst failed: ${why}`);
    }
    return ok();
  }

  private async holds(): Promise<boolean> {
    return (await this.net.listAddresses(this.config.interface)).includes(this.cidr);
  }

  /** The rest of the first burst, then the refresh burst; failures reach the next monitor. */
  private scheduleRepeats(ctx: ActionContext): void {
    const { garp, interface: ifname, address } = this.config;
    this.refresh?.cancel();
    this.refresh = null;
    const generation = this.generation;
    const burst = (count: number, next: () => void) => {
      this.net.sendGratuitousArp(ifname, address, { count, intervalMs: garp.intervalMs }).then(
        () => {
          if (generation === this.generation) next();
        },
        (err: unknown) => {
          if (generation !== this.generation) return; // stopped meanwhile: nothing to report
          this.refreshError = errorMessage(err);
        },
      );
    };
    const refresh = () => {
      if (garp.refreshDelayMs <= 0 || garp.refreshCount <= 0) return;
      // Runs after start has returned, so it uses the clock, not the action's budget.
      this.refresh = ctx.clock.after(garp.refreshDelayMs, () => {
        this.refresh = null;
        burst(garp.refreshCount, () => undefined);
      });
    };
    if (garp.count <= 1) return refresh();
    this.refresh = ctx.clock.after(garp.intervalMs, () => {
      this.refresh = null;
      burst(garp.count - 1, refresh);
    });
  }
}
