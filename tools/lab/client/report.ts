// The shapes the client workload prints, shared by the script that runs in
// tdm-client and the host-side driver that parses its output.

/** One stretch where statements failed: from the first failure to the next success. */
export interface Outage {
  /** Wall-clock ms of the last acknowledged statement before the outage. */
  readonly lastOkAt: number;
  /** Wall-clock ms when the first failure was seen. */
  readonly failedAt: number;
  /** Wall-clock ms when the first statement after it came back acknowledged (null: never). */
  readonly recoveredAt: number | null;
  readonly failures: number;
  /** The first error message of the outage, for the log. */
  readonly firstError: string;
}

export interface WorkloadReport {
  readonly run: string;
  readonly startedAt: number;
  readonly stoppedAt: number;
  readonly attempts: number;
  /** INSERTs whose COMMIT (autocommit) came back: these rows must survive. */
  readonly acknowledged: number;
  /** INSERTs that failed after being sent: the row may or may not exist. */
  readonly inDoubt: number;
  readonly outages: readonly Outage[];
  /** Failed attempts before the first acknowledged row: no outage, the client was still starting. */
  readonly failedBeforeFirstRow: number;
  readonly readback: {
    readonly ok: boolean;
    readonly at: number | null;
    readonly rows: number;
    readonly error: string;
  };
  /** Acknowledged client_seq values not found on read-back (only meaningful if readback.ok). */
  readonly missing: readonly number[];
  /** Wall-clock ms of each acknowledged row, in client_seq order (for loss-window analysis). */
  readonly ackedAt?: readonly number[];
}

/** Progress lines on stderr, one JSON object per line, so a driver can follow live. */
export type WorkloadEvent =
  | { readonly event: 'ready'; readonly at: number }
  | { readonly event: 'outage'; readonly at: number; readonly error: string }
  | { readonly event: 'recovered'; readonly at: number; readonly outageMs: number };
