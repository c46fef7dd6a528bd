// Runs the daemon's parts in order and stops them in reverse (zigbee2mqtt
// style). A part that fails to start is reported and skipped, not fatal:
// the heartbeat must keep running even if, say, telemetry cannot start.
import type { Extension } from '../core/extension.ts';
import { errorMessage } from '../../hal/errors.ts';

export class ExtensionRunner {
  private readonly list: Extension[];
  private readonly started: Extension[] = [];
  private readonly onError: (name: string, phase: 'start' | 'stop', detail: string) => void;

  constructor(
    list: readonly Extension[],
    onError: (name: string, phase: 'start' | 'stop', detail: string) => void,
  ) {
    this.list = [...list];
    this.onError = onError;
  }

  /** Add a part before start() (e.g. telemetry, the failover machine). */
  add(ext: Extension): void {
    this.list.push(ext);
  }

  async start(): Promise<void> {
    for (const ext of this.list) {
      try {
        await ext.start();
        this.started.push(ext);
      } catch (err) {
        this.onError(ext.name, 'start', errorMessage(err));
      }
    }
  }

  async stop(): Promise<void> {
    for (const ext of this.started.splice(0).reverse()) {
      try {
        await ext.stop();
      } catch (err) {
        this.onError(ext.name, 'stop', errorMessage(err));
      }
    }
  }
}
