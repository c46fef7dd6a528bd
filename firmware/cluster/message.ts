// The one heartbeat message sent on every path (serial, net, lan, disk slot).
// Byte layout: docs/heartbeat.md. Authenticated with a full 32-byte
// HMAC-SHA256 tag; the decoder checks the tag before trusting any field.
//
// Three parts: the envelope (fixed for every protocol major, forever: who
// sent it, which protocol, which firmware), the body of this major, and the
// extension area where a newer minor appends fields an older decoder skips.
// The tag is always last. protocol.ts has the rule.
import { WireReader, WireWriter, ShortRead, isSafeU64, isU32 } from './wire-io.ts';
import {
  RESOURCE_HEALTH,
  ROLES,
  STATES,
  controllerCode,
  controllerFromCode,
  type ControllerId,
  type NodeState,
  type ResourceHealth,
  type Role,
} from './codes.ts';
import { MAC_BYTES, assertBoxKey, macMatches, macOf } from './hmac.ts';
import { ALL_PATH_BITS } from './heartbeat-paths.ts';
import { PROTOCOL, compatibleProtocol, formatProtocol, type SoftwareVersions } from './protocol.ts';
import { FIRMWARE_VERSION_RE } from '../core/firmware-version.ts';
import { err, ok, type Result } from '../core/result.ts';

export const HEARTBEAT_MAGIC = Uint8Array.of(0x54, 0x44, 0x48, 0x42); // "TDHB"
/**
 * The envelope's layout, byte 4. Layout 2 had no protocol version (and the
 * maintenance mark as its last addition); layout 3 brought the envelope with
 * the protocol major and minor. It stays 3 for every protocol major to come:
 * versions are told apart by the major (byte 5), never by this byte.
 */
export const HEARTBEAT_LAYOUT = 3;
export const MAX_GROUPS = 8;
export const MAX_RESOURCES = 8;
export const MAX_NAME_BYTES = 16;
/** The sender's firmware version in the envelope: ASCII [\w.+-], 1..32 bytes. */
export const MAX_FIRMWARE_VERSION_BYTES = 32;
/** Magic .. firmware version length: the envelope without the version string. */
const ENVELOPE_FIXED_BYTES = 31;
/** Role .. flags: the fixed part of the major-1 body. */
const BODY_FIXED_BYTES = 20;
const EXTENSION_LENGTH_BYTES = 2;
/** The smallest message of any major: an envelope with a 1-byte version, and the tag. */
export const MIN_HEARTBEAT_BYTES = ENVELOPE_FIXED_BYTES + 1 + MAC_BYTES;
/**
 * The largest message accepted, of any major or minor: what fits a 512-byte
 * witness slot (8-byte slot header, CRC-32 at the end).
 */
export const MAX_HEARTBEAT_BYTES = 512 - 8 - 4;
/** The smallest message this firmware sends: no lists, a 1-byte firmware version. */
export const MIN_SENT_HEARTBEAT_BYTES =
  ENVELOPE_FIXED_BYTES + 1 + BODY_FIXED_BYTES + 1 + 1 + EXTENSION_LENGTH_BYTES + MAC_BYTES;
/** The largest message this firmware sends: every list full, a 32-byte firmware version. */
export const MAX_SENT_HEARTBEAT_BYTES =
  ENVELOPE_FIXED_BYTES +
  MAX_FIRMWARE_VERSION_BYTES +
  BODY_FIXED_BYTES +
  1 +
  MAX_GROUPS * (1 + MAX_NAME_BYTES) +
  1 +
  MAX_RESOURCES * (2 + MAX_NAME_BYTES) +
  EXTENSION_LENGTH_BYTES +
  MAC_BYTES;

const FLAG_DISK_ACCESS = 0x01;
const FLAG_MAINTENANCE = 0x02;
const KNOWN_FLAGS = FLAG_DISK_ACCESS | FLAG_MAINTENANCE;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface ResourceStatus {
  readonly name: string;
  readonly health: ResourceHealth;
}

export interface HealthSummary {
  /** Bitmask of PATH_BIT: the paths on which the sender currently hears its peer. */
  readonly seesPeer: number;
  readonly diskAccess: boolean;
  readonly resources: readonly ResourceStatus[];
}

/**
 * The box's maintenance setting as this sender knows it. Maintenance belongs
 * to the box, not to one controller: the epoch orders changes (the higher
 * one wins, see firmware/failover/box-maintenance.ts).
 */
export interface MaintenanceMark {
  readonly on: boolean;
  /** u32; 0 = never changed. */
  readonly epoch: number;
}

/**
 * The part of every heartbeat that every protocol major lays out the same
 * way: enough to authenticate it, filter replays and say who sent it with
 * which software, even when the rest cannot be read.
 */
export interface HeartbeatEnvelope {
  readonly boxId: number;
  readonly controller: ControllerId;
  /** Chosen once per process start; see docs/heartbeat.md "Incarnations". */
  readonly incarnation: bigint;
  /** Monotonic per incarnation, shared by all paths (one message, many copies). */
  readonly seq: number;
  /** The sender's protocol, firmware version and config schema. */
  readonly versions: SoftwareVersions;
}

export interface Heartbeat extends HeartbeatEnvelope {
  readonly senderMonoMs: number;
  readonly role: Role;
  readonly state: NodeState;
  readonly groups: readonly string[];
  readonly configVersion: number;
  readonly maintenance: MaintenanceMark;
  readonly health: HealthSummary;
}

export type HeartbeatErrorCode =
  | 'short'
  | 'too-long'
  | 'bad-magic'
  | 'bad-version'
  | 'bad-mac'
  | 'bad-field'
  | 'trailing-bytes'
  /** Authenticated, but of another protocol major: only its envelope is read. */
  | 'other-major';

export interface HeartbeatDecodeError {
  readonly code: HeartbeatErrorCode;
  /** The offending field for 'bad-field' and 'short'. */
  readonly field?: string;
  readonly detail: string;
  /** For 'other-major': the authenticated envelope (the peer is alive, but not understood). */
  readonly envelope?: HeartbeatEnvelope;
}

export function encodeHeartbeat(msg: Heartbeat, key: Uint8Array): Uint8Array {
  assertBoxKey(key);
  const problem = invalidField(msg);
  if (problem !== undefined) throw new RangeError(`heartbeat field ${problem} is out of range`);
  const v = msg.versions;
  const w = new WireWriter()
    .bytes(HEARTBEAT_MAGIC)
    .u8(HEARTBEAT_LAYOUT)
    .u8(v.protocol.major)
    .u8(v.protocol.minor)
    .u8(controllerCode(msg.controller))
    .u32(msg.boxId)
    .u64(msg.incarnation)
    .u64(BigInt(msg.seq))
    .u16(v.configSchema);
  writeName(w, v.firmwareVersion);
  w.u8(ROLES.code(msg.role))
    .u8(STATES.code(msg.state))
    .u64(BigInt(msg.senderMonoMs))
    .u32(msg.configVersion)
    .u32(msg.maintenance.epoch)
    .u8(msg.health.seesPeer)
    .u8((msg.health.diskAccess ? FLAG_DISK_ACCESS : 0) | (msg.maintenance.on ? FLAG_MAINTENANCE : 0))
    .u8(msg.groups.length);
  for (const g of msg.groups) writeName(w, g);
  w.u8(msg.health.resources.length);
  for (const r of msg.health.resources) writeName(w, r.name).u8(RESOURCE_HEALTH.code(r.health));
  w.u16(0); // the extension area: minor 0 of major 1 has nothing in it
  const body = w.finish();
  const out = new Uint8Array(body.byteLength + MAC_BYTES);
  out.set(body);
  out.set(macOf(key, body), body.byteLength);
  return out;
}

export function decodeHeartbeat(bytes: Uint8Array, key: Uint8Array): Result<Heartbeat, HeartbeatDecodeError> {
  if (bytes.byteLength < MIN_HEARTBEAT_BYTES) {
    return err({ code: 'short', detail: `${bytes.byteLength} bytes, need at least ${MIN_HEARTBEAT_BYTES}` });
  }
  if (bytes.byteLength > MAX_HEARTBEAT_BYTES) {
    return err({ code: 'too-long', detail: `${bytes.byteLength} bytes, at most ${MAX_HEARTBEAT_BYTES}` });
  }
  for (let i = 0; i < HEARTBEAT_MAGIC.length; i++) {
    if (bytes[i] !== HEARTBEAT_MAGIC[i]) return err({ code: 'bad-magic', detail: 'not a heartbeat' });
  }
  if (bytes[4] !== HEARTBEAT_LAYOUT) {
    return err({ code: 'bad-version', detail: `layout ${bytes[4]}, expected ${HEARTBEAT_LAYOUT}` });
  }
  const bodyLen = bytes.byteLength - MAC_BYTES;
  // Authenticate before interpreting anything else: fields of a forged or
  // corrupted message are never looked at.
  if (!macMatches(key, bytes.subarray(0, bodyLen), bytes.subarray(bodyLen))) {
    return err({ code: 'bad-mac', detail: 'HMAC-SHA256 tag does not match' });
  }
  try {
    return parseBody(new WireReader(bytes.subarray(0, bodyLen)));
  } catch (e) {
    if (e instanceof ShortRead) return err({ code: 'short', field: e.field, detail: e.message });
    throw e;
  }
}

/** The envelope: the same bytes in every protocol major (docs/heartbeat.md). */
function parseEnvelope(r: WireReader): Result<HeartbeatEnvelope, HeartbeatDecodeError> {
  r.bytes(5, 'magic+layout');
  const major = r.u8('protocol.major');
  const minor = r.u8('protocol.minor');
  const controller = controllerFromCode(r.u8('controller'));
  if (controller === undefined) return badField('controller', 'not A or B');
  const boxId = r.u32('boxId');
  const incarnation = r.u64('incarnation');
  const seq = r.u64('seq');
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) return badField('seq', 'above 2^53-1');
  const configSchema = r.u16('configSchema');
  const len = r.u8('firmwareVersion.length');
  if (len < 1 || len > MAX_FIRMWARE_VERSION_BYTES) return badField('firmwareVersion', `${len} bytes`);
  const firmwareVersion = String.fromCharCode(...r.bytes(len, 'firmwareVersion'));
  if (!FIRMWARE_VERSION_RE.test(firmwareVersion)) return badField('firmwareVersion', 'not [\\w.+-]');
  return ok({
    boxId,
    controller,
    incarnation,
    seq: Number(seq),
    versions: { protocol: { major, minor }, firmwareVersion, configSchema },
  });
}

function parseBody(r: WireReader): Result<Heartbeat, HeartbeatDecodeError> {
  const envelope = parseEnvelope(r);
  if (!envelope.ok) return envelope;
  const { protocol } = envelope.value.versions;
  if (!compatibleProtocol(protocol)) {
    return err({
      code: 'other-major',
      detail: `protocol ${formatProtocol(protocol)}, this decoder reads major ${PROTOCOL.major}`,
      envelope: envelope.value,
    });
  }
  const role = ROLES.name(r.u8('role'));
  if (role === undefined) return badField('role', 'unknown role code');
  const state = STATES.name(r.u8('state'));
  if (state === undefined) return badField('state', 'unknown state code');
  const senderMonoMs = r.u64('senderMonoMs');
  if (senderMonoMs > BigInt(Number.MAX_SAFE_INTEGER)) return badField('senderMonoMs', 'above 2^53-1');
  const configVersion = r.u32('configVersion');
  const maintenanceEpoch = r.u32('maintenanceEpoch');
  const seesPeer = r.u8('seesPeer');
  if ((seesPeer & ~ALL_PATH_BITS) !== 0) return badField('seesPeer', 'reserved bits set');
  const flags = r.u8('flags');
  if ((flags & ~KNOWN_FLAGS) !== 0) return badField('flags', 'reserved bits set');

  const groupCount = r.u8('groupCount');
  if (groupCount > MAX_GROUPS) return badField('groupCount', `more than ${MAX_GROUPS}`);
  const groups: string[] = [];
  for (let i = 0; i < groupCount; i++) {
    const name = readName(r, `groups[${i}]`);
    if (name === undefined || groups.includes(name)) return badField(`groups[${i}]`, 'bad or duplicate name');
    groups.push(name);
  }
  const resourceCount = r.u8('resourceCount');
  if (resourceCount > MAX_RESOURCES) return badField('resourceCount', `more than ${MAX_RESOURCES}`);
  const resources: ResourceStatus[] = [];
  for (let i = 0; i < resourceCount; i++) {
    const name = readName(r, `resources[${i}].name`);
    if (name === undefined || resources.some((x) => x.name === name)) {
      return badField(`resources[${i}].name`, 'bad or duplicate name');
    }
    const health = RESOURCE_HEALTH.name(r.u8(`resources[${i}].health`));
    if (health === undefined) return badField(`resources[${i}].health`, 'unknown health code');
    resources.push({ name, health });
  }
  // The extension area: fields of newer minors, skipped unread (protocol.ts).
  const extensionBytes = r.u16('extension.length');
  r.bytes(extensionBytes, 'extension');
  if (r.remaining !== 0)
    return err({ code: 'trailing-bytes', detail: `${r.remaining} bytes after the extension area` });
  return ok({
    ...envelope.value,
    senderMonoMs: Number(senderMonoMs),
    role,
    state,
    groups,
    configVersion,
    maintenance: { on: (flags & FLAG_MAINTENANCE) !== 0, epoch: maintenanceEpoch },
    health: { seesPeer, diskAccess: (flags & FLAG_DISK_ACCESS) !== 0, resources },
  });
}

function badField(field: string, detail: string): Result<Heartbeat, HeartbeatDecodeError> {
  return err({ code: 'bad-field', field, detail });
}

function readName(r: WireReader, field: string): string | undefined {
  const len = r.u8(`${field}.length`);
  if (len < 1 || len > MAX_NAME_BYTES) return undefined;
  const raw = r.bytes(len, field);
  // Names are restricted to ASCII, so byte length equals string length.
  const name = String.fromCharCode(...raw);
  return NAME_RE.test(name) ? name : undefined;
}

function writeName(w: WireWriter, name: string): WireWriter {
  w.u8(name.length);
  for (let i = 0; i < name.length; i++) w.u8(name.charCodeAt(i));
  return w;
}

export function isValidName(name: string): boolean {
  return name.length >= 1 && name.length <= MAX_NAME_BYTES && NAME_RE.test(name);
}

/** The name of the first field an encoder must refuse, or undefined. */
function invalidField(m: Heartbeat): string | undefined {
  const v = m.versions;
  if (!isU8(v.protocol.major) || !isU8(v.protocol.minor)) return 'protocol';
  if (!FIRMWARE_VERSION_RE.test(v.firmwareVersion)) return 'firmwareVersion';
  if (!Number.isInteger(v.configSchema) || v.configSchema < 0 || v.configSchema > 0xffff)
    return 'configSchema';
  if (!isU32(m.boxId)) return 'boxId';
  if (m.incarnation < 0n || m.incarnation > 0xffffffffffffffffn) return 'incarnation';
  if (!isSafeU64(m.seq)) return 'seq';
  if (!isSafeU64(m.senderMonoMs)) return 'senderMonoMs';
  if (!isU32(m.configVersion)) return 'configVersion';
  if (!isU32(m.maintenance.epoch)) return 'maintenanceEpoch';
  if (!Number.isInteger(m.health.seesPeer) || (m.health.seesPeer & ~ALL_PATH_BITS) !== 0) return 'seesPeer';
  if (m.groups.length > MAX_GROUPS || m.groups.some((g) => !isValidName(g))) return 'groups';
  if (new Set(m.groups).size !== m.groups.length) return 'groups';
  const res = m.health.resources;
  if (res.length > MAX_RESOURCES || res.some((r) => !isValidName(r.name))) return 'resources';
  if (new Set(res.map((r) => r.name)).size !== res.length) return 'resources';
  return undefined;
}

function isU8(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xff;
}
