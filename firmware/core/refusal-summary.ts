// Refusals (bad requests, dropped clients) written to a log at most once per
// interval: the first one of a quiet spell at once, with its reason, and
// every later one only counted, then written as one summary row when the
// interval ends. A flood of refused requests therefore costs the event log
// one row per interval, and cannot push real history out of retention.
// No timers here: the owner calls flush() on its clock every interval.

/** Distinct kinds kept per summary; more are counted under "other". */
const MAX_KINDS = 16;
const MAX_REASON_CHARS = 200;

export interface RefusalSummaryOptions {
  readonly intervalMs: number;
  readonly now: () => number;
  /** `summary`: the line counts several refusals; otherwise it is one refusal's reason. */
  readonly write: (line: string, summary: boolean) => void;
  /** What is refused, for the summary: "MQTT requests", "control socket clients". */
  readonly what: string;
}

export class RefusalSummary {
  private readonly options: RefusalSummaryOptions;
  private lastWrite = Number.NEGATIVE_INFINITY;
  private readonly kinds = new Map<string, number>();
  private counted = 0;
  private lastReason = '';
  /** Every refusal noted, for metrics. */
  total = 0;

  constructor(options: RefusalSummaryOptions) {
    this.options = options;
  }

  /** One refusal; `reason` is our own error text ("unauthorised: bad signature"). */
  note(reason: string): void {
    this.total += 1;
    const text = reason.slice(0, MAX_REASON_CHARS);
    if (this.counted === 0 && this.options.now() - this.lastWrite >= this.options.intervalMs) {
      this.lastWrite = this.options.now();
      this.options.write(text, false);
      return;
    }
    const kind = text.split(':', 1)[0] ?? '';
    const key = this.kinds.has(kind) || this.kinds.size < MAX_KINDS ? kind : 'other';
    this.kinds.set(key, (this.kinds.get(key) ?? 0) + 1);
    this.counted += 1;
    this.lastReason = text;
  }

  /** Writes the summary of what was counted since the last write, if anything was. */
  flush(): void {
    if (this.counted === 0) return;
    const byKind = [...this.kinds].map(([k, n]) => `${k} ${n}`).join(', ');
    const seconds = Math.round(this.options.intervalMs / 1000);
    this.options.write(
      `${this.counted} more ${this.options.what} refused within ${seconds} s (${byKind}); the last: ${this.lastReason}`,
      true,
    );
    this.kinds.clear();
    this.counted = 0;
    this.lastWrite = this.options.now();
  }
}
