// Shared test data for the cluster tests.
import type { Heartbeat } from '../../../firmware/cluster/message.ts';

export const KEY = new Uint8Array(32).fill(0x5a);
export const OTHER_KEY = new Uint8Array(32).fill(0xa5);
export const BOX = 0x00c0ffee;

export function heartbeat(over: Partial<Heartbeat> = {}): Heartbeat {
  return {
    boxId: BOX,
    controller: 'B',
    incarnation: 0x0000_0007_dead_beefn,
    seq: 1,
    senderMonoMs: 123_456,
    role: 'standby',
    state: 'standby',
    groups: ['nfs-1'],
    configVersion: 42,
    maintenance: { on: false, epoch: 0 },
    health: { seesPeer: 0x0f, diskAccess: true, resources: [{ name: 'vip-1', health: 'ok' }] },
    ...over,
  };
}
