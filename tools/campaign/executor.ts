// The seam between the campaign and the lab: the loop (loop.ts) only draws,
// times and judges; an executor injects, heals and observes. The lab's
// executor comes later; the unit test of the loop plugs in a fake one.
import type { Fault } from './menu.ts';
import type { FinalTable, LogLine, Observations } from './observations.ts';
import type { Step } from './plan.ts';

export interface Executor {
  /** Epoch ms, the clock every observation is stamped with. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Injects one fault of `step`; resolves once it is in place. */
  inject(step: Step, fault: Fault): Promise<void>;
  /** Undoes the fault (menu.ts healOf says how); resolves once healed. */
  heal(step: Step, fault: Fault): Promise<void>;
  /**
   * Waits for the pair to converge, at most until `deadline` (epoch ms). It
   * may return early once it sees convergence; the judges decide either way.
   */
  settle(step: Step, deadline: number): Promise<void>;
  /** What the observers recorded with `from < t <= to`. */
  observe(from: number, to: number): Promise<Observations>;
  /** Log lines with `from <= t <= to`, every source, in time order. */
  logs(from: number, to: number): Promise<readonly LogLine[]>;
  /** The client's table at the end, for the rows-lost judge. */
  finalTable(): Promise<FinalTable>;
  /** Stops the observers and the client (after finalTable, or on an error). */
  close(): Promise<void>;
}
