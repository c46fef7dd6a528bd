// What the panel reads and what it answers. The input is the status snapshot
// plus the parts of the `status` report a panel shows (alarms, last takeover,
// firmware version); the outputs are plain data: the panel process (not built)
// turns an action into a command over the control socket, and the backlight
// word into a driver call.
import type { CheckedReport } from '../status/report-check.ts';
import type { ControllerId } from '../cluster/codes.ts';

/** What the screens read: the checked report (less the takeover outlook, which only the LEDs read) and the host. */
export interface PanelStatus extends Omit<CheckedReport, 'takeover'> {
  /** What the panel reads on its own controller (host.ts), not from the daemon. */
  readonly host?: HostView;
}

/** This controller's addresses and uptime, as the network and version screens show them. */
export interface HostView {
  readonly addresses: readonly { readonly iface: string; readonly address: string }[];
  readonly uptimeS: number;
}

export type PanelKey = 'up' | 'down' | 'enter' | 'mute';

/**
 * What a key asks the controller to do; the panel itself sends nothing. A
 * switchover comes only from Enter held on its confirmation screen.
 */
export type PanelAction =
  | { readonly kind: 'ack'; readonly alarmId: number }
  | { readonly kind: 'mute' }
  | { readonly kind: 'switchover'; readonly group: string; readonly to: ControllerId }
  /** Enter on the web screen: the box's initial web password, shown to whoever stands at the box. */
  | { readonly kind: 'sign-in-code' };

export type Backlight = 'on' | 'dim';

/**
 * The info screens Up and Down step through, in order (alarms: one page per
 * alarm; upgrade: only while a rolling upgrade runs or has stopped, see
 * upgradeShown in info-screens.ts).
 */
export const INFO_SCREENS = [
  'summary',
  'upgrade',
  'paths',
  'alarms',
  'takeover',
  'network',
  'web',
  'version',
] as const;
export type InfoScreen = (typeof INFO_SCREENS)[number];

/** The text of one screen, before it is fitted (and scrolled) into a frame. */
export interface Layout {
  /** Four lines for a 4-row display. */
  readonly wide: readonly string[];
  /** Two lines for a 2-row display. */
  readonly narrow: readonly string[];
}
