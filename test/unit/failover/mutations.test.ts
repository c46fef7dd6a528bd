// The property suite is not vacuous: flip one safety rule of the product at
// a time and it must find a breach within the runs CI gives it (300). The
// rules are flipped where the product states them: the failover table
// (failover/table.ts) and the machine's view of the peer (failover/peer-view.ts).
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { FailoverEventType } from '../../../firmware/failover/events.ts';
import type { Cell } from '../../../firmware/failover/table.ts';
import type { FailoverState } from '../../../firmware/core/states.ts';
import type * as PeerViewModule from '../../../firmware/failover/peer-view.ts';
import type * as TableModule from '../../../firmware/failover/table.ts';
import { safetyProperty } from './property-suite.ts';

type Rule = 'none' | 'no-fence-before-start' | 'start-while-peer-alive-on-a-path' | 'ignore-own-key-loss';

const mutant: { rule: Rule } = vi.hoisted(() => ({ rule: 'none' }));

vi.mock('../../../firmware/failover/table.ts', async (importOriginal) => {
  const real = await importOriginal<typeof TableModule>();
  const lookup = (state: FailoverState, event: FailoverEventType): Cell => {
    // The lease ran out: start the peer's groups without fencing it first.
    if (mutant.rule === 'no-fence-before-start' && state === 'peer-suspect' && event === 'lease-expired')
      return { kind: 'go', next: 'taking-over', actions: ['start-groups'], text: 'MUTANT: start unfenced' };
    // Our key vanished: carry on as if nothing happened.
    if (mutant.rule === 'ignore-own-key-loss' && event === 'own-key-lost')
      return { kind: 'ignore', text: 'MUTANT: own key loss ignored' };
    return real.lookup(state, event);
  };
  return { ...real, lookup };
});

vi.mock('../../../firmware/failover/peer-view.ts', async (importOriginal) => {
  const real = await importOriginal<typeof PeerViewModule>();
  type Membership = Parameters<typeof real.membershipPeerView>[0];
  // One path down is taken for the peer dead, though it still beats on the others.
  const membershipPeerView: typeof real.membershipPeerView = (m: Membership, listening) => {
    const view = real.membershipPeerView(m, listening);
    if (mutant.rule !== 'start-while-peer-alive-on-a-path') return view;
    const anyPathDown = (): boolean =>
      (['serial', 'net', 'disk'] as const).some((p) => m.pathState(p) === 'down');
    return {
      ...view,
      peerState: () => (anyPathDown() ? 'dead' : view.peerState()),
      on: (listener) =>
        view.on((e) => {
          if (e.type === 'path-down')
            listener({ type: 'peer-dead', atMs: e.atMs, lastHeardMs: e.atMs, reason: 'MUTANT', paths: {} });
          else listener(e);
        }),
    };
  };
  return { ...real, membershipPeerView };
});

describe('the property suite catches each flipped safety rule', () => {
  it.each(['no-fence-before-start', 'start-while-peer-alive-on-a-path', 'ignore-own-key-loss'] as const)(
    '%s',
    async (rule) => {
      mutant.rule = rule;
      try {
        const out = await fc.check(safetyProperty(), { numRuns: 300, seed: 20260105, endOnFailure: true });
        expect(out.failed, `the suite did not notice rule ${rule} flipped`).toBe(true);
        // It failed on a safety invariant, not on a crash of the harness.
        expect(String(out.errorInstance)).toMatch(/\((a|b|c|d|e)\)|end:/);
        console.log(
          `${rule}: caught after ${out.numRuns} schedules: ${String(out.errorInstance).split('\n')[0]}`,
        );
      } finally {
        mutant.rule = 'none';
      }
    },
    600_000,
  );
});
