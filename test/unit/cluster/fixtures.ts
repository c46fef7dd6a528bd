// Shared test data for the cluster tests.
import type { Heartbeat } from '../../../firmware/cluster/message.ts';
import { PROTOCOL, type SoftwareVersions } from '../../../firmware/cluster/protocol.ts';

/** What the fixtures' sender runs: this protocol, a fixed firmware version. */
export const VERSIONS: SoftwareVersions = { protocol: PROTOCOL, firmwareVersion: '0.1.0', configSchema: 1 };

export const KEY = new Uint8Array(32).fill(0x5a);
export const OTHER_KEY = new Uint8Array(32).fill(0xa5);
export const BOX = 0x00c0ffee;

export function heartbeat(over: Partial<Heartbeat> = {}): Heartbeat {
  return {
    boxId: BOX,
    controller: 'B',
    incarnation: 0x0000_0007_dead_beefn,
    seq: 1,
    versions: VERSIONS,
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
