// Every config number that travels in a wire format is bounded by the schema
// at exactly what the encoder can carry: the schema's maximum round-trips
// through the real encoder, and one above it is refused by the schema (and,
// where it would reach it, by the encoder). Reading the bounds from the schema
// itself means neither side can change without this test noticing.
import { describe, expect, it } from 'vitest';
import { write16Cdb } from '../../../hal/scsi/cdb/block.ts';
import { encodeLun } from '../../../hal/scsi/iscsi/pdu.ts';
import { decodeHeartbeat, encodeHeartbeat, type Heartbeat } from '../../../firmware/cluster/message.ts';
import {
  decodeWitnessHeader,
  encodeWitnessHeader,
  witnessLba,
} from '../../../firmware/cluster/witness-layout.ts';
import { decodeOfferFragment, encodeOffer } from '../../../firmware/config/replication/offer-wire.ts';
import * as resourceSchemas from '../../../firmware/config/resource-schemas.ts';
import { ConfigSchema } from '../../../firmware/config/schema.ts';
import { validateConfig } from '../../../firmware/config/validate.ts';
import { ownVersions } from '../../../firmware/heartbeat/own-versions.ts';

interface Node {
  type?: string;
  maximum?: number;
  properties?: Record<string, Node>;
  items?: Node;
}

/** The schema node at a JSON pointer (N for array items). */
function at(pointer: string, root: Node = ConfigSchema as Node): Node {
  let node = root;
  for (const part of pointer.split('/').slice(1)) {
    const next = part === 'N' ? node.items : node.properties?.[part];
    if (next === undefined) throw new Error(`no schema node at ${pointer}`);
    node = next;
  }
  return node;
}

function maxOf(pointer: string, root?: Node): number {
  const max = at(pointer, root).maximum;
  if (max === undefined) throw new Error(`${pointer} has no maximum`);
  return max;
}

/** A document with one field set; validated as a whole. */
function withField(pointer: string, value: number): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  const parts = pointer.split('/').slice(1);
  let holder = doc;
  for (const part of parts.slice(0, -1)) holder = holder[part] = {};
  holder[parts.at(-1) ?? ''] = value;
  return doc;
}

function refusedAt(doc: unknown): string[] {
  const r = validateConfig(doc);
  return r.ok ? [] : r.errors.map((e) => e.path);
}

const KEY = new Uint8Array(32).fill(7);
const beat = (configVersion: number): Heartbeat => ({
  boxId: 1,
  controller: 'A',
  incarnation: 1n,
  seq: 1,
  versions: ownVersions(),
  senderMonoMs: 1,
  role: 'standby',
  state: 'active',
  groups: [],
  configVersion,
  maintenance: { on: false, epoch: 0 },
  health: { seesPeer: 0, diskAccess: false, resources: [] },
});

describe('config numbers bounded by the wire', () => {
  it('configVersion: the maximum round-trips in a heartbeat and an offer; one more is refused', () => {
    const max = maxOf('/configVersion');
    const decoded = decodeHeartbeat(encodeHeartbeat(beat(max), KEY), KEY);
    expect(decoded.ok && decoded.value.configVersion).toBe(max);
    const header = { sender: 'A' as const, boxId: 1, offerId: 1, version: max, hash: 'ab'.repeat(32) };
    const [fragment] = encodeOffer(header, new Uint8Array(10), KEY);
    const offer = decodeOfferFragment(Buffer.from(fragment ?? []), KEY);
    expect(offer.ok && offer.value.version).toBe(max);

    expect(() => encodeHeartbeat(beat(max + 1), KEY)).toThrow(RangeError);
    expect(refusedAt({ configVersion: max })).toEqual([]);
    expect(refusedAt({ configVersion: max + 1 })).toEqual(['/configVersion']);
    expect(refusedAt({ configVersion: 1e308 })).toEqual(['/configVersion']);
  });

  it('witness area: the last sector at the maximum base and size is a valid WRITE(16) LBA', () => {
    const base = maxOf('/cluster/disk/witnessLba');
    const sectors = maxOf('/cluster/disk/witnessSectors');
    const area = { baseLba: BigInt(base), sectorCount: BigInt(sectors) };
    const lba = witnessLba(area, { kind: 'mailbox', controller: 'B' });
    const cdb = write16Cdb(lba, 1, { fua: true });
    expect(Buffer.from(cdb).readBigUInt64BE(2)).toBe(lba);
    // The JSON number must become that LBA exactly: the area ends on a safe integer.
    expect(Number.isSafeInteger(base + sectors)).toBe(true);
    expect(refusedAt(withField('/cluster/disk/witnessLba', base + 1))).toEqual(['/cluster/disk/witnessLba']);
    expect(refusedAt(withField('/cluster/disk/witnessSectors', sectors + 1))).toEqual([
      '/cluster/disk/witnessSectors',
    ]);
  });

  it('heartbeat timing: the maximum interval and deadtime fit the witness header', () => {
    const intervalMs = maxOf('/cluster/heartbeat/intervalMs');
    const deadtimeMs = maxOf('/cluster/heartbeat/deadtimeMs');
    const uuid = new Uint8Array(16).fill(1);
    const decoded = decodeWitnessHeader(encodeWitnessHeader({ boxId: 1, intervalMs, deadtimeMs, uuid }));
    expect(decoded.ok && [decoded.value.intervalMs, decoded.value.deadtimeMs]).toEqual([
      intervalMs,
      deadtimeMs,
    ]);
  });

  it('LUNs: the maximum fits the iSCSI LUN field; one more is refused', () => {
    for (const max of [
      maxOf('/cluster/disk/lun'),
      maxOf('/luns/N', resourceSchemas.ReservationSchema as Node),
    ]) {
      const field = Buffer.alloc(8);
      encodeLun(max, field, 0);
      expect(((field[0] ?? 0) & 0x3f) * 256 + (field[1] ?? 0)).toBe(max);
      expect((field[0] ?? 0) & 0xc0).toBe(0x40);
    }
    expect(refusedAt(withField('/cluster/disk/lun', maxOf('/cluster/disk/lun') + 1))).toEqual([
      '/cluster/disk/lun',
    ]);
  });

  it('no integer in the config or in any agent’s settings is unbounded', () => {
    const open: string[] = [];
    const walk = (node: Node, path: string): void => {
      if (node.type === 'integer' && node.maximum === undefined) open.push(path);
      for (const [name, child] of Object.entries(node.properties ?? {})) walk(child, `${path}/${name}`);
      if (node.items !== undefined) walk(node.items, `${path}/N`);
    };
    walk(ConfigSchema as Node, '');
    for (const [name, schema] of Object.entries(resourceSchemas))
      if (typeof schema === 'object' && 'type' in schema) walk(schema as Node, name);
    expect(open).toEqual([]);
  });
});
