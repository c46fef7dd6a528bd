// The shared-disk heartbeat path (sbd style). Every interval: WRITE(16) FUA
// our slot with the current signed message, then one READ(16) of both slots
// and both mailboxes, handing the peer's slot to the runtime (which counts an
// unchanged slot as a 'duplicate', so the path is up only while the peer's
// slot content advances) and checking our mailbox for a new order.
// I/O never overlaps: a tick that finds the previous one still running is
// skipped and counted. Any I/O error drops our view of the session and
// reopens it (header check included) once per heartbeat interval: the
// session below (the shared iSCSI login or sg node, fencing/shared-*.ts)
// already backs off its own reconnects, and a second exponential backoff
// here, up to 5 s, is what kept a healed sas-b path down for 3.8 to 4.9 s
// after the session was back (issue 18).
import type { Clock } from '../../hal/clock/clock.ts';
import { read16, write16 } from '../../hal/scsi/commands.ts';
import type { ScsiDevice } from '../../hal/scsi/device.ts';
import { otherController, type ControllerId } from '../cluster/codes.ts';
import { MailboxGuard } from '../cluster/mailbox-guard.ts';
import { SECTOR_BYTES } from '../cluster/sector.ts';
import { decodeMailbox, encodeWitnessSlot, witnessLba, type WitnessArea } from '../cluster/witness-layout.ts';
import type { PathDriver, PathHooks } from './path-driver.ts';
import { Reconnector } from './reconnector.ts';
import { prepareWitnessHeader } from './witness-header.ts';
import { errorMessage } from '../../hal/errors.ts';

/** Opens a new session to the witness LUN (an iSCSI login, an sg open, a sim nexus). */
export interface DiskTransport {
  readonly description: string;
  open(): Promise<ScsiDevice>;
}

export interface DiskPathOptions {
  readonly clock: Clock;
  readonly transport: DiskTransport;
  readonly area: WitnessArea;
  readonly self: ControllerId;
  readonly boxId: number;
  readonly key: Uint8Array;
  readonly intervalMs: number;
  readonly deadtimeMs: number;
  /** Per-command timeout; default deadtime (a slower answer is useless anyway). */
  readonly ioTimeoutMs?: number;
}

export class DiskPath implements PathDriver {
  readonly path = 'disk' as const;
  readonly description: string;
  private readonly o: DiskPathOptions;
  private readonly reconnector: Reconnector;
  private readonly timeoutMs: number;
  private dev: ScsiDevice | undefined;
  private hooks: PathHooks | undefined;
  private busy = false;
  private guard: MailboxGuard | undefined;
  /**
   * The peer's slot as it was when this process first read it: written at
   * some unknown time before we started, so it proves nothing about now (a
   * peer that stopped long ago left its last beat there). It is not passed
   * on until the slot changes; sbd likewise trusts a slot only once its
   * counter moves.
   */
  private peerSlotAtBoot: Uint8Array | undefined;
  private lastOkMs: number | undefined;
  /** The runtime's latest message: written as soon as the session is back. */
  private lastMessage: Uint8Array | undefined;
  private readonly count = {
    ticks: 0,
    ioErrors: 0,
    skippedBusy: 0,
    mailboxErrors: 0,
    mailboxOrders: 0,
    staleAtBoot: 0,
  };

  constructor(options: DiskPathOptions) {
    this.o = options;
    this.description = `disk ${options.transport.description}`;
    this.timeoutMs = options.ioTimeoutMs ?? options.deadtimeMs;
    this.reconnector = new Reconnector({
      clock: options.clock,
      // Once per interval, as the heartbeat itself; no jitter, since the
      // two controllers' sessions are their own (see top of file).
      initialDelayMs: options.intervalMs,
      maxDelayMs: options.intervalMs,
      random: () => 0.5,
      open: () => this.open(),
      onUp: () => {
        this.hooks?.transport(true, `${this.o.transport.description} ready`);
        // Beat at once with the latest message rather than an interval later.
        if (this.lastMessage !== undefined) this.send(this.lastMessage);
      },
      onDown: (detail, retryInMs) => this.hooks?.transport(false, `${detail}; retry in ${retryInMs} ms`),
    });
  }

  start(hooks: PathHooks): void {
    this.hooks = hooks;
    this.reconnector.start();
  }

  /** True while our last witness I/O succeeded less than deadtime ago. */
  diskAccess(): boolean {
    return this.lastOkMs !== undefined && this.o.clock.monotonicMs() - this.lastOkMs < this.o.deadtimeMs;
  }

  send(message: Uint8Array): void {
    this.lastMessage = message;
    const dev = this.dev;
    if (dev === undefined) return;
    if (this.busy) {
      this.count.skippedBusy++;
      return;
    }
    this.busy = true;
    this.tick(dev, message).then(
      () => {
        this.busy = false;
      },
      (err: unknown) => {
        this.busy = false;
        this.count.ioErrors++;
        if (this.dev === dev) this.drop(dev, err);
      },
    );
  }

  async stop(): Promise<void> {
    this.reconnector.stop();
    this.hooks = undefined;
    const dev = this.dev;
    this.dev = undefined;
    await dev?.close().catch(() => undefined);
  }

  counters(): Readonly<Record<string, number>> {
    return { ...this.count };
  }

  private async open(): Promise<void> {
    const dev = await this.o.transport.open();
    try {
      const check = await prepareWitnessHeader(
        dev,
        this.o.area,
        { boxId: this.o.boxId, intervalMs: this.o.intervalMs, deadtimeMs: this.o.deadtimeMs },
        this.timeoutMs,
      );
      if (check.initialised)
        this.hooks?.notice('WITNESS_INITIALISED', `witness area formatted on ${dev.description}`);
      if (check.timingMismatch !== undefined)
        this.hooks?.notice('WITNESS_TIMING_MISMATCH', check.timingMismatch);
      if (this.guard === undefined) {
        // Seed with what the mailbox holds at boot: an order from before this
        // process started was meant for the previous incarnation.
        const sectors = await this.readSlotsAndMailboxes(dev);
        const atBoot = decodeMailbox(this.mailboxSector(sectors), this.o.self, this.o.key);
        this.guard = new MailboxGuard(this.o.boxId, this.o.self, atBoot.ok ? atBoot.value : undefined);
        this.peerSlotAtBoot = this.sector(sectors, this.peerSlotLba());
      }
    } catch (err) {
      await dev.close().catch(() => undefined);
      throw err;
    }
    this.dev = dev;
  }

  private drop(dev: ScsiDevice, err: unknown): void {
    this.dev = undefined;
    this.lastOkMs = undefined;
    void dev.close().catch(() => undefined);
    this.reconnector.lost(new Error(`witness I/O failed: ${errorMessage(err)}`));
  }

  private async tick(dev: ScsiDevice, message: Uint8Array): Promise<void> {
    this.count.ticks++;
    const slot = encodeWitnessSlot({ controller: this.o.self, message });
    await write16(dev, witnessLba(this.o.area, { kind: 'slot', controller: this.o.self }), slot, {
      fua: true,
      timeoutMs: this.timeoutMs,
    });
    const sectors = await this.readSlotsAndMailboxes(dev);
    this.lastOkMs = this.o.clock.monotonicMs();
    const hooks = this.hooks;
    if (hooks === undefined) return;
    const peerSlot = this.sector(sectors, this.peerSlotLba());
    if (this.peerSlotAtBoot !== undefined && sameBytes(peerSlot, this.peerSlotAtBoot))
      this.count.staleAtBoot++;
    else {
      this.peerSlotAtBoot = undefined;
      hooks.receiveWitnessSlot(peerSlot);
    }
    const mailbox = decodeMailbox(this.mailboxSector(sectors), this.o.self, this.o.key);
    if (!mailbox.ok) {
      if (mailbox.error.code !== 'zeroed') this.count.mailboxErrors++;
      return;
    }
    const admitted = this.guard?.admit(mailbox.value);
    if (admitted?.ok === true) {
      this.count.mailboxOrders++;
      hooks.mailbox(admitted.value);
    }
  }

  private peerSlotLba(): bigint {
    return witnessLba(this.o.area, { kind: 'slot', controller: otherController(this.o.self) });
  }

  /** Slots and mailboxes are four consecutive sectors: one READ(16) for all. */
  private readSlotsAndMailboxes(dev: ScsiDevice): Promise<Uint8Array> {
    const first = witnessLba(this.o.area, { kind: 'slot', controller: 'A' });
    return read16(dev, first, 4, SECTOR_BYTES, { timeoutMs: this.timeoutMs });
  }

  private mailboxSector(sectors: Uint8Array): Uint8Array {
    return this.sector(sectors, witnessLba(this.o.area, { kind: 'mailbox', controller: this.o.self }));
  }

  private sector(sectors: Uint8Array, lba: bigint): Uint8Array {
    const first = witnessLba(this.o.area, { kind: 'slot', controller: 'A' });
    const at = Number(lba - first) * SECTOR_BYTES;
    return sectors.slice(at, at + SECTOR_BYTES);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
}
