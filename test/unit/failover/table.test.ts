import { describe, expect, it } from 'vitest';
import { FAILOVER_STATES, STATE_TEXT } from '../../../firmware/core/states.ts';
import { ACTION_TEXT, FAILOVER_ACTIONS } from '../../../firmware/failover/actions.ts';
import { EVENT_TEXT, FAILOVER_EVENTS } from '../../../firmware/failover/events.ts';
import { GUARD_TEXT, GUARDS, TRANSITIONS, resolveCell, type Cell } from '../../../firmware/failover/table.ts';

function leaves(c: Cell): Cell[] {
  return c.kind === 'when' ? [...leaves(c.then), ...leaves(c.else)] : [c];
}

describe('failover table', () => {
  it('has an explicit cell for every state x every event, and nothing else', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...FAILOVER_STATES].sort());
    for (const s of FAILOVER_STATES) {
      expect(Object.keys(TRANSITIONS[s]).sort(), s).toEqual([...FAILOVER_EVENTS].sort());
    }
  });

  it('gives every state, event, action, guard and cell a one-line text', () => {
    for (const s of FAILOVER_STATES) expect(STATE_TEXT[s]).toMatch(/^\S.*\S$/);
    for (const e of FAILOVER_EVENTS) expect(EVENT_TEXT[e]).toMatch(/^\S[^\n]*$/);
    for (const a of FAILOVER_ACTIONS) expect(ACTION_TEXT[a]).toMatch(/^\S[^\n]*$/);
    for (const g of GUARDS) expect(GUARD_TEXT[g]).toMatch(/^\S[^\n]*$/);
    for (const s of FAILOVER_STATES) {
      for (const e of FAILOVER_EVENTS) {
        for (const leaf of leaves(TRANSITIONS[s][e])) {
          if (leaf.kind !== 'when') expect(leaf.text, `${s} x ${e}`).toMatch(/^\S[^\n]*$/);
        }
      }
    }
  });

  it('fences before any resource starts: start-groups only after fence-ok or for a free group', () => {
    for (const s of FAILOVER_STATES) {
      for (const e of FAILOVER_EVENTS) {
        for (const leaf of leaves(TRANSITIONS[s][e])) {
          if (leaf.kind === 'go' && leaf.actions.includes('start-groups')) {
            expect(['fence-ok', 'group-free'], `${s} x ${e}`).toContain(e);
          }
        }
      }
    }
  });

  it('enters fencing only on a lease expiry with the peer confirmed down, or a guarded forced takeover', () => {
    for (const s of FAILOVER_STATES) {
      for (const e of FAILOVER_EVENTS) {
        const cell = TRANSITIONS[s][e];
        const fences = leaves(cell).some((l) => l.kind === 'go' && l.next === 'fencing');
        if (!fences || s === 'fencing') continue;
        expect(['lease-expired', 'operator-forced-takeover'], `${s} x ${e}`).toContain(e);
        // With the peer not confirmed down, no path leads to fencing.
        const leaf = resolveCell(cell, (g) => g !== 'peer-confirmed-down');
        expect(leaf.kind === 'go' && leaf.next === 'fencing', `${s} x ${e}`).toBe(false);
      }
    }
  });

  it('never takes over without the disk: lease expiry without disk does not fence', () => {
    const leaf = resolveCell(TRANSITIONS['peer-suspect']['lease-expired'], (g) => g !== 'disk-ok');
    expect(leaf.kind === 'go' && leaf.next).not.toBe('fencing');
  });

  it('self-fences whenever the registration is lost while groups run', () => {
    for (const s of FAILOVER_STATES) {
      if (s === 'fencing' || s === 'self-fenced') continue; // fencing: the fence result decides
      const leaf = resolveCell(TRANSITIONS[s]['own-key-lost'], (g) => g === 'holds-groups');
      if (s === 'starting' || s === 'standby') continue; // cannot hold groups there
      expect(leaf.kind === 'go' ? leaf.next : s, s).toBe('self-fenced');
      if (leaf.kind === 'go') expect(leaf.actions[0]).toBe('stop-groups-now');
    }
    const fenced = resolveCell(TRANSITIONS.fencing['fence-we-are-fenced'], () => true);
    expect(fenced.kind === 'go' && fenced.next).toBe('self-fenced');
  });

  it('leaves self-fenced only by a reboot', () => {
    for (const e of FAILOVER_EVENTS) {
      for (const leaf of leaves(TRANSITIONS['self-fenced'][e])) {
        if (leaf.kind === 'go') expect(leaf.next).toBe('self-fenced');
      }
    }
  });
});
