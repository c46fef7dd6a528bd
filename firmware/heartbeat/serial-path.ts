// The RS-232 heartbeat path: each message goes out as one frame
// (serial-framing.ts); incoming bytes are deframed and every payload is
// handed to the runtime, which authenticates it. A port that fails (tty gone,
// USB adapter pulled) is reopened with backoff.
import type { Clock } from '../../hal/clock/clock.ts';
import type { SerialLink } from '../../hal/serial/serial.ts';
import { SerialFrameDecoder, encodeFrame } from '../cluster/serial-framing.ts';
import type { PathDriver, PathHooks } from './path-driver.ts';
import { Reconnector } from './reconnector.ts';
import { errorMessage } from '../../hal/errors.ts';

export class SerialPath implements PathDriver {
  readonly path = 'serial' as const;
  readonly description: string;
  private readonly link: SerialLink;
  private readonly reconnector: Reconnector;
  private decoder = new SerialFrameDecoder();
  private hooks: PathHooks | undefined;
  private writing = false;
  private readonly count = { sent: 0, sendErrors: 0, skippedBusy: 0, frames: 0 };

  constructor(options: { link: SerialLink; clock: Clock }) {
    this.link = options.link;
    this.description = `serial ${options.link.path}`;
    this.reconnector = new Reconnector({
      clock: options.clock,
      open: () => this.link.open(),
      onUp: () => this.hooks?.transport(true, `${this.link.path} open`),
      onDown: (detail, retryInMs) => this.hooks?.transport(false, `${detail}; retry in ${retryInMs} ms`),
    });
  }

  private readonly onDataListener = (chunk: Buffer): void => this.onData(chunk);
  // Without a listener an 'error' event would throw; the close that follows drives the reopen.
  private readonly onErrorListener = (): void => undefined;
  private readonly onCloseListener = (): void => this.reconnector.lost(new Error(`${this.link.path} closed`));

  start(hooks: PathHooks): void {
    this.hooks = hooks;
    this.link.on('data', this.onDataListener);
    this.link.on('error', this.onErrorListener);
    this.link.on('close', this.onCloseListener);
    this.reconnector.start();
  }

  send(message: Uint8Array): void {
    if (!this.link.isOpen) return;
    // Never queue behind a slow or blocked line: a stale heartbeat is worthless.
    if (this.writing) {
      this.count.skippedBusy++;
      return;
    }
    this.writing = true;
    this.link.write(encodeFrame(message)).then(
      () => {
        this.writing = false;
        this.count.sent++;
      },
      (err: unknown) => {
        this.writing = false;
        this.count.sendErrors++;
        if (!this.link.isOpen) this.reconnector.lost(new Error(errorMessage(err)));
      },
    );
  }

  async stop(): Promise<void> {
    this.reconnector.stop();
    this.hooks = undefined;
    this.link.off('data', this.onDataListener);
    this.link.off('close', this.onCloseListener);
    await this.link.close();
    this.link.off('error', this.onErrorListener);
  }

  counters(): Readonly<Record<string, number>> {
    const f = this.decoder.counters();
    return { ...this.count, crcErrors: f.crcErrors, headerErrors: f.headerErrors, resyncs: f.resyncs };
  }

  private onData(chunk: Uint8Array): void {
    const hooks = this.hooks;
    if (hooks === undefined) return;
    for (const payload of this.decoder.push(chunk)) {
      this.count.frames++;
      hooks.receive(payload);
    }
  }
}
