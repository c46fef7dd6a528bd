// The heartbeat protocol's version, defined here and nowhere else.
//
// The rule (docs/heartbeat.md, "Versions"):
//   - minor: a change an older decoder of the same major can live with. New
//     fields go ONLY into the extension area at the end of the message (after
//     what the previous minor sent), where an older decoder skips them. A
//     code appended to a code table is sent only to a peer that says it
//     speaks that minor (speaks()). A decoder of major M accepts every minor of M.
//   - major: anything else (a field moved, removed or re-coded, a code table
//     reordered). A decoder of another major authenticates the message and
//     reads its envelope (magic, layout, major, minor, sender, versions),
//     never its body: the peer is alive but incompatible, and neither
//     controller takes over from the other until the majors match again.
export interface ProtocolVersion {
  /** u8 */
  readonly major: number;
  /** u8 */
  readonly minor: number;
}

export const PROTOCOL: ProtocolVersion = { major: 1, minor: 1 };

/** 1.1 appended the state `stopping` (a clean stop's last heartbeats). */
export const STOPPING_STATE: ProtocolVersion = { major: 1, minor: 1 };

/** Whether a peer speaking `peer` understands what came with `since` (same major, that minor or later). */
export function speaks(peer: ProtocolVersion, since: ProtocolVersion): boolean {
  return peer.major === since.major && peer.minor >= since.minor;
}

/**
 * What a controller's heartbeat says about the software it runs: the one
 * type every module reads the peer's versions through (membership, the
 * controller, the status snapshot, the rolling upgrade).
 */
export interface SoftwareVersions {
  readonly protocol: ProtocolVersion;
  /** The sender's firmware version, ASCII [\w.+-], 1..32 bytes. */
  readonly firmwareVersion: string;
  /** The highest config schema version the sender's firmware reads (u16). */
  readonly configSchema: number;
}

/** Whether a peer speaking `peer` can be understood by this firmware. */
export function compatibleProtocol(peer: ProtocolVersion, ours: ProtocolVersion = PROTOCOL): boolean {
  return peer.major === ours.major;
}

export function formatProtocol(v: ProtocolVersion): string {
  return `${v.major}.${v.minor}`;
}
