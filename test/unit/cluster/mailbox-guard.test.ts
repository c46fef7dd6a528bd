import { describe, expect, it } from 'vitest';
import { MailboxGuard } from '../../../firmware/cluster/mailbox-guard.ts';
import type { MailboxMessage } from '../../../firmware/cluster/witness-layout.ts';
import { BOX } from './fixtures.ts';

const order = (over: Partial<MailboxMessage> = {}): MailboxMessage => ({
  to: 'A',
  from: 'B',
  cmd: 'fence-self',
  boxId: BOX,
  seq: 5,
  ...over,
});

describe('MailboxGuard', () => {
  it('never obeys the order that was already in the mailbox at boot (no reboot loop)', () => {
    const g = new MailboxGuard(BOX, 'A', order({ seq: 5 }));
    expect(g.admit(order({ seq: 5 }))).toEqual({ ok: false, error: 'already-seen' });
    expect(g.admit(order({ seq: 6 }))).toMatchObject({ ok: true });
    expect(g.admit(order({ seq: 6 }))).toEqual({ ok: false, error: 'already-seen' });
  });

  it('refuses other boxes and orders not sent by the peer to us', () => {
    const g = new MailboxGuard(BOX, 'A', undefined);
    expect(g.admit(order({ boxId: BOX + 1 }))).toEqual({ ok: false, error: 'wrong-box' });
    expect(g.admit(order({ from: 'A' }))).toEqual({ ok: false, error: 'not-from-peer' });
    expect(g.admit(order({ to: 'B' }))).toEqual({ ok: false, error: 'not-from-peer' });
    expect(g.admit(order({ seq: 0 }))).toMatchObject({ ok: true });
  });
});
