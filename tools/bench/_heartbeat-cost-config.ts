// The heartbeat-cost bench's config for one controller: the lab's plain
// pair config (tools/lab/configs/a.json, b.json) with the timing asked for,
// the private link on loopback (127.0.0.1 and 127.0.0.2), no group, no MQTT
// and no watchdog, and no disk section: the disk path then looks for an sg
// node that the bench's sysroot does not have, so it costs one stat(2) an
// interval and the figure is the serial and network paths and the
// daemon's own work. What a disk beat costs over iSCSI needs the
// enclosure: the footprint bench measures it on the lab.
// (The leading underscore keeps this helper out of `npm run bench`'s list.)
import type { BeatTiming } from '../lab/configs/timing.ts';
import { otherController } from '../../firmware/cluster/codes.ts';
import type { Controller } from '../lab/topology.ts';

type Json = Record<string, unknown>;

export const LOOPBACK: Record<Controller, string> = { A: '127.0.0.1', B: '127.0.0.2' };
/** The private link's UDP port on both. */
export const LOOPBACK_PORT = 7788;

function section(config: Json, name: string): Json {
  const v = config[name];
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Error(`lab config has no ${name} object`);
  return v as Json;
}

/** A copy of the lab config `base` for controller `c`, as described above. */
export function heartbeatCostConfig(base: Json, c: Controller, timing: BeatTiming): Json {
  const out = structuredClone(base);
  const cluster = section(out, 'cluster');
  cluster['heartbeat'] = { ...timing, initdeadMs: Math.max(5000, timing.deadtimeMs) };
  const peer = otherController(c);
  cluster['network'] = {
    enabled: true,
    localAddress: LOOPBACK[c],
    peerAddress: LOOPBACK[peer],
    port: LOOPBACK_PORT,
  };
  delete cluster['disk'];
  section(section(out, 'failover'), 'watchdog')['enabled'] = false;
  out['groups'] = [];
  delete out['mqtt'];
  return out;
}
