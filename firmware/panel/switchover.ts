// The switchover menu and its confirmation (issue #14: "a switchover from
// the panel needs Enter held for 3 s on a confirmation screen that names the
// group and the target controller"). Only a planned move of a running group
// to a live peer is offered: the panel never forces a takeover (it has no
// such action), and the daemon's state machine still decides.
import { otherController, type ControllerId } from '../cluster/codes.ts';
import type { Layout, PanelStatus } from './types.ts';

export type SwitchoverTarget =
  | { readonly ok: true; readonly group: string; readonly from: ControllerId; readonly to: ControllerId }
  | { readonly ok: false; readonly group: string; readonly why: string };

/** Where `group` would move, or why the panel does not offer it. */
export function switchoverTarget(s: PanelStatus, group: string): SwitchoverTarget {
  const g = s.groups.find((x) => x.name === group);
  if (g === undefined) return { ok: false, group, why: 'not configured' };
  if (g.owner === null) return { ok: false, group, why: 'runs nowhere' };
  const to = otherController(g.owner);
  // The peer must be heard: moving to a controller we cannot see is not a switchover.
  const peerAlive = s.peer.state === 'alive';
  if (!peerAlive) return { ok: false, group, why: `${s.peer.id} not alive` };
  return { ok: true, group, from: g.owner, to };
}

/** Menu page `index` of `n` groups (index n is "back"). */
export function menuLayout(s: PanelStatus, index: number): Layout {
  const n = s.groups.length;
  const g = s.groups[index];
  if (g === undefined) {
    const none = n === 0 ? 'no groups' : '< back';
    return {
      wide: ['Switchover', none, 'Enter: summary', 'Up/Down: groups'],
      narrow: ['Switchover', `${none} Enter`],
    };
  }
  const t = switchoverTarget(s, g.name);
  const head = `Switchover ${index + 1}/${n}`;
  if (!t.ok)
    return {
      wide: [head, `${g.name}: ${t.why}`, 'not offered', 'Up/Down: next'],
      narrow: [head, `${g.name}: ${t.why}`],
    };
  return {
    wide: [head, `${t.group} on ${t.from}`, `Enter: move to ${t.to}`, 'Up/Down: next'],
    narrow: [head, `${t.group} ${t.from}>${t.to} Enter`],
  };
}

export function confirmLayout(group: string, from: ControllerId, to: ControllerId): Layout {
  return {
    wide: [`Move ${group} to ${to}?`, `now on ${from}`, 'Hold Enter 3 s', 'Up/Down: cancel'],
    narrow: [`Move ${group} to ${to}?`, 'Hold Enter 3 s'],
  };
}
