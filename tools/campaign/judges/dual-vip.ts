// Dual VIP: two different MACs answering ARP for the VIP within 100 ms of
// each other means two controllers held the address at once (issue 18 item 2).
// Replies are judged in time order; a run of such conflicting replies is one
// episode, one violation, so a long split brain counts once.
import type { ArpReply } from '../observations.ts';
import type { Violation } from './violation.ts';

export const DUAL_VIP_WINDOW_MS = 100;

export function judgeDualVip(replies: readonly ArpReply[]): Violation[] {
  const sorted = [...replies].sort((a, b) => a.t - b.t);
  const out: Violation[] = [];
  let inEpisode = false;
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (prev === undefined || cur === undefined) continue;
    // Only neighbours matter: a third MAC in between would itself be a nearer conflict.
    const conflict = prev.mac.toLowerCase() !== cur.mac.toLowerCase() && cur.t - prev.t <= DUAL_VIP_WINDOW_MS;
    if (conflict && !inEpisode) {
      out.push({
        kind: 'dual_vip',
        t: prev.t,
        detail: `VIP answered by ${prev.mac} at ${prev.t} and ${cur.mac} at ${cur.t} (${cur.t - prev.t} ms apart)`,
      });
    }
    inEpisode = conflict;
  }
  return out;
}
