// The SCSI persistent reservations on the shared LUN, as the fencer last saw
// them: which keys are registered, who holds the reservation, whether we are
// fenced. Keys print as 16 hex digits, as sg_persist shows them.
import { argObject } from './args.ts';
import { defineCommand, ok } from './define.ts';
import { withFailover } from './failover.ts';

const hex = (k: bigint): string => `0x${k.toString(16).padStart(16, '0')}`;

export const prCommands = [
  defineCommand({
    name: 'pr',
    summary: 'SCSI persistent reservations on the shared LUN',
    role: 'viewer',
    args: argObject({}),
    cli: { words: ['pr'] },
    run: (ctx) =>
      withFailover(ctx, 'pr', (host) => {
        const s = host.fencer.snapshot();
        return ok({
          // null until our first registration: no key of ours is on the LUN yet.
          ourKey: s.ourKey === null ? null : hex(s.ourKey),
          keys: s.keys.map(hex),
          reservation:
            s.reservation === null ? null : { key: hex(s.reservation.key), type: s.reservation.type },
          fenced: s.weAreFenced,
        });
      }),
  }),
];
