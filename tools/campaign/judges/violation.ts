// What every judge returns: a typed violation at a moment, with what it saw.
export type ViolationKind = 'dual_vip' | 'dual_mount' | 'rows_lost' | 'unrecovered' | 'false_failover';

export interface Violation {
  readonly kind: ViolationKind;
  /** Epoch ms of the evidence (the first of it): where the report cuts the logs around. */
  readonly t: number;
  readonly detail: string;
}
