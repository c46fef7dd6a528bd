// The one door through which bytes from the peer become liveness: decode,
// authenticate and accept (replay.ts), and only then tell membership. Bytes
// that fail anywhere are counted and dropped; they never refresh a path.
import { otherController, type ControllerId } from './codes.ts';
import type { Membership } from './membership.ts';
import type { HeartbeatPath } from './heartbeat-paths.ts';
import type { Accepted, HeartbeatAcceptor, Rejection } from './replay.ts';
import { err, type Result } from '../core/result.ts';
import type { SectorError } from './sector.ts';
import { decodeWitnessSlot } from './witness-layout.ts';

export type WitnessRejection =
  { readonly reason: 'witness-sector'; readonly sector: SectorError } | Rejection;

export class HeartbeatIntake {
  private readonly acceptor: HeartbeatAcceptor;
  private readonly membership: Membership;
  private readonly peer: ControllerId;
  private sectorErrors = 0;

  constructor(self: ControllerId, acceptor: HeartbeatAcceptor, membership: Membership) {
    this.acceptor = acceptor;
    this.membership = membership;
    this.peer = otherController(self);
  }

  /** A datagram, a deframed serial payload, or any other whole message. */
  receive(path: HeartbeatPath, bytes: Uint8Array): Result<Accepted, Rejection> {
    const result = this.acceptor.receive(path, bytes);
    if (result.ok) {
      const a = result.value;
      if (a.compatible) this.membership.heartbeat(path, a.msg);
      else this.membership.incompatibleHeartbeat(path, a.msg);
    }
    return result;
  }

  /**
   * The peer's witness slot as just read from disk. An unchanged slot is
   * refused as a 'duplicate': it proves nothing new about the peer.
   */
  receiveWitnessSlot(sector: Uint8Array): Result<Accepted, WitnessRejection> {
    const slot = decodeWitnessSlot(sector, this.peer);
    if (!slot.ok) {
      this.sectorErrors++;
      return err({ reason: 'witness-sector', sector: slot.error });
    }
    return this.receive('disk', slot.value.message);
  }

  witnessSectorErrors(): number {
    return this.sectorErrors;
  }
}
