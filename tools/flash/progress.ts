// Progress of a long copy on stderr: on a terminal one line redrawn (percent,
// MB done, MB/s) at most 5 times a second; otherwise a plain line at every
// 10%, which a log or CI keeps readable. The monotonic hrtime clock, which
// fake timers leave alone.
import { hrtime } from 'node:process';

export interface ProgressSink {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

const MB = 1_000_000;
const REDRAW_NS = 200_000_000n;

export class Progress {
  private readonly started = hrtime.bigint();
  private lastDraw = 0n;
  private lastTenth = 0;
  private readonly label: string;
  private readonly total: number;
  private readonly sink: ProgressSink;

  constructor(label: string, total: number, sink: ProgressSink) {
    this.label = label;
    this.total = total;
    this.sink = sink;
  }

  private line(done: number): string {
    const pct = this.total === 0 ? 100 : Math.floor((done * 100) / this.total);
    const secs = Number(hrtime.bigint() - this.started) / 1e9;
    const rate = secs > 0 ? done / MB / secs : 0;
    return `${this.label}: ${String(pct).padStart(3)}%  ${(done / MB).toFixed(1)}/${(this.total / MB).toFixed(1)} MB  ${rate.toFixed(1)} MB/s`;
  }

  update(done: number): void {
    if (this.sink.isTTY === true) {
      const now = hrtime.bigint();
      if (now - this.lastDraw < REDRAW_NS && done < this.total) return;
      this.lastDraw = now;
      this.sink.write(`\r${this.line(done)}\x1b[K`);
      return;
    }
    const tenth = this.total === 0 ? 10 : Math.floor((done * 10) / this.total);
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.sink.write(`${this.line(done)}\n`);
    }
  }

  done(): void {
    this.update(this.total);
    if (this.sink.isTTY === true) this.sink.write('\n');
  }
}
