// Which parts of the config replicate. The file is the same on both
// controllers except for fields that describe one controller's own wiring:
// its id, its serial device, its own and its peer's link addresses (swapped
// on the other side), its SAS path to the enclosure (portal, initiator name,
// sg device) and its MQTT client identity (TLS cert and key). Those stay as
// each controller has them; everything else (box, timing, key, ports, disk
// layout, failover policy, groups, MQTT broker and token, retention) is
// box-wide and travels with a config offer.
import { configHash } from '../fingerprint.ts';
import type { TandemConfig } from '../schema.ts';

/** JSON pointers of per-controller fields: never sent, never overwritten. */
export const LOCAL_POINTERS = [
  '/controller',
  '/cluster/serial/tty',
  '/cluster/network/localAddress',
  '/cluster/network/peerAddress',
  '/cluster/lan/localAddress',
  '/cluster/lan/peerAddress',
  '/cluster/disk/portal',
  '/cluster/disk/initiatorName',
  '/cluster/disk/sgDevice',
  '/mqtt/tls/cert',
  '/mqtt/tls/key',
] as const;

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function split(pointer: string): { parents: string[]; key: string } {
  const parts = pointer.split('/').slice(1);
  const key = parts.pop() ?? '';
  return { parents: parts, key };
}

function holderOf(root: unknown, parents: readonly string[], create: boolean): Json | undefined {
  let node: unknown = root;
  for (const part of parents) {
    if (!isObj(node)) return undefined;
    if (create && node[part] === undefined) node[part] = {};
    node = node[part];
  }
  return isObj(node) ? node : undefined;
}

/** The box-wide part of a config, configVersion included: what an offer carries. */
export function sharedPart(config: TandemConfig | Json): Json {
  const copy = structuredClone(config) as unknown as Json;
  for (const pointer of LOCAL_POINTERS) {
    const { parents, key } = split(pointer);
    const holder = holderOf(copy, parents, false);
    if (holder !== undefined) delete holder[key];
  }
  return copy;
}

/**
 * The peer's box-wide part with our own per-controller fields put back: the
 * candidate we validate and apply. `shared` is untrusted; anything odd in it
 * is left for validation to name.
 */
export function mergeShared(shared: unknown, local: TandemConfig): unknown {
  if (!isObj(shared)) return shared;
  const out = structuredClone(shared);
  for (const pointer of LOCAL_POINTERS) {
    const { parents, key } = split(pointer);
    const mine = holderOf(local, parents, false)?.[key];
    const holder = holderOf(out, parents, mine !== undefined);
    if (holder === undefined) continue;
    if (mine === undefined) delete holder[key];
    else holder[key] = structuredClone(mine);
  }
  return out;
}

/** Hash of the box-wide content (not the version): equal on both sides when in sync. */
export function sharedHash(config: TandemConfig | Json): string {
  return configHash(sharedPart(config));
}
