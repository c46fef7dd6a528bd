// Whether a fault calls for a takeover of a group, given which controller ran
// the group when the fault was injected. The false-failover judge counts a
// group move as false only where this says 'never': the peer was healthy and
// reachable on at least one heartbeat path. Between the clear cases lies a
// margin ('may') where either outcome is legitimate (a stall just around
// deadtime, a controller that lost its disk or its LAN port).
import type { BeatTiming } from '../lab/configs/timing.ts';
import type { Controller, Cuttable, Fault } from './menu.ts';

export type TakeoverExpectation = 'must' | 'may' | 'never';

const SAS: Readonly<Record<Controller, Cuttable>> = { A: 'sas-a', B: 'sas-b' };
const LAN: Readonly<Record<Controller, Cuttable>> = { A: 'lan-a', B: 'lan-b' };

/**
 * The lab's heartbeat paths (tools/lab/configs: serial, UDP on the private
 * link, the witness on the shared LUN; no LAN heartbeat): the peers hear each
 * other while any one of them is up. The disk path needs both SAS links.
 */
export function peersReachable(cut: readonly Cuttable[]): boolean {
  const down = (l: Cuttable): boolean => cut.includes(l);
  return !down('serial') || !down('private') || (!down('sas-a') && !down('sas-b'));
}

/** Combines the two faults of a step: the stronger expectation wins. */
export function strongest(a: TakeoverExpectation, b: TakeoverExpectation): TakeoverExpectation {
  if (a === 'must' || b === 'must') return 'must';
  if (a === 'may' || b === 'may') return 'may';
  return 'never';
}

/**
 * `runner`: the controller that ran the group at injection, or null if none
 * did; `timing`: the pair's heartbeat.
 */
export function takeoverExpected(
  f: Fault,
  runner: Controller | null,
  timing: BeatTiming,
): TakeoverExpectation {
  // Around deadtime a stall may or may not be detected (scheduling, the beat's phase): both are fine.
  const stallMarginMs = 2 * timing.intervalMs;
  switch (f.kind) {
    case 'kill':
    case 'poweroff':
      // The lab's watchdog powers off a controller whose firmware died.
      return f.controller === runner ? 'must' : 'never';
    case 'stall':
      if (f.controller !== runner) return 'never';
      if (f.ms < timing.deadtimeMs - stallMarginMs) return 'never';
      if (f.ms > timing.deadtimeMs + stallMarginMs) return 'must';
      return 'may';
    case 'cut':
      if (!peersReachable(f.links)) return 'may';
      // The runner lost its disk or its clients: moving the group is a cure.
      if (runner !== null && (f.links.includes(SAS[runner]) || f.links.includes(LAN[runner]))) return 'may';
      return 'never';
    case 'serial-mode':
    case 'degrade':
    case 'starve':
    case 'maintenance':
      // Degraded, never lost: the finding of issue 18 is exactly a move here.
      return 'never';
    case 'kill-postgres':
      // One kill is restarted locally, but kills add up: past the group's
      // restart budget (maxRestarts in windowMs) the group is handed over by
      // design, and a campaign draws this kind often enough to spend it.
      return 'may';
    case 'fill-volume':
      // PostgreSQL may fail its restarts and be handed over (the peer fares no better, but may try).
      return 'may';
    case 'restart-tgtd':
      // tgt forgets the reservations: the runner may find its key gone and self-fence.
      return 'may';
    case 'switchover':
      // The operator asked for the move.
      return 'must';
  }
}
