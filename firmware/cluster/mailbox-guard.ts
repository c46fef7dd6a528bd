// Decides whether a decoded (authenticated) mailbox message is a new order to
// obey. A fence-self order reboots us, so a stale one must never be obeyed
// twice: the guard is seeded with whatever the mailbox held when we booted
// (an order from before this boot was meant for the previous incarnation and
// would otherwise cause a reboot loop) and then only takes higher seqs.
import type { ControllerId } from './codes.ts';
import { err, ok, type Result } from '../core/result.ts';
import type { MailboxMessage } from './witness-layout.ts';

export type MailboxRefusal = 'wrong-box' | 'not-from-peer' | 'already-seen';

export class MailboxGuard {
  private readonly boxId: number;
  private readonly self: ControllerId;
  private lastSeq: number;

  /** `atBoot` is the mailbox content read before the first poll, if it decoded. */
  constructor(boxId: number, self: ControllerId, atBoot: MailboxMessage | undefined) {
    this.boxId = boxId;
    this.self = self;
    this.lastSeq = atBoot?.seq ?? -1;
  }

  admit(m: MailboxMessage): Result<MailboxMessage, MailboxRefusal> {
    if (m.boxId !== this.boxId) return err('wrong-box');
    if (m.from === this.self || m.to !== this.self) return err('not-from-peer');
    if (m.seq <= this.lastSeq) return err('already-seen');
    this.lastSeq = m.seq;
    return ok(m);
  }
}
