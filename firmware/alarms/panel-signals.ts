// The operator's say over the front panel's signals, kept beside the alarms
// because mute is about them: `mute` silences the buzzer for the alarms that
// sound now, and a new alarm that sounds re-arms it (HP/Dell/EqualLogic
// practice, issue #14). `locate` makes the identify LED blink for the
// technician in the aisle. Memory only: a daemon restart unmutes (the
// buzzer sounds again for what is still active, the safe side) and ends
// locate; neither is worth a write to the state database.
import type { AlarmSeverity } from './catalogue.ts';

/** The severities that sound the buzzer (and so re-arm a mute when raised): critical and major (error). */
export const SOUNDING_SEVERITIES: ReadonlySet<AlarmSeverity> = new Set(['critical', 'error']);

export interface PanelSignalState {
  /** The buzzer is silenced until an alarm that sounds is raised. */
  readonly muted: boolean;
  /** The identify LED blinks. */
  readonly locate: boolean;
}

export class PanelSignals {
  private state: PanelSignalState = { muted: false, locate: false };
  private readonly listeners = new Set<(s: PanelSignalState) => void>();

  snapshot(): PanelSignalState {
    return this.state;
  }

  mute(): void {
    this.set({ ...this.state, muted: true });
  }

  /** A new alarm of `severity` was raised: one that sounds ends the mute. */
  alarmRaised(severity: AlarmSeverity): void {
    if (SOUNDING_SEVERITIES.has(severity)) this.set({ ...this.state, muted: false });
  }

  setLocate(on: boolean): void {
    this.set({ ...this.state, locate: on });
  }

  /** Follow changes (the status publisher). Returns unsubscribe. */
  subscribe(listener: (s: PanelSignalState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(next: PanelSignalState): void {
    if (next.muted === this.state.muted && next.locate === this.state.locate) return;
    this.state = next;
    for (const listener of this.listeners) {
      try {
        listener(next);
      } catch (err) {
        // A broken publisher must not undo the operator's mute.
        console.error('panel signal listener failed:', err);
      }
    }
  }
}
