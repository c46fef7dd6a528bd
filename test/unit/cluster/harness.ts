// A simulated peer (controller B) feeding controller A's intake on SimClock:
// serial via framing, net as datagrams, disk via the witness slot.
import { SimClock } from '../../../hal/clock/sim.ts';
import { HeartbeatIntake } from '../../../firmware/cluster/intake.ts';
import { Membership, type MembershipEvent } from '../../../firmware/cluster/membership.ts';
import { encodeHeartbeat, type Heartbeat } from '../../../firmware/cluster/message.ts';
import type { HeartbeatPath } from '../../../firmware/cluster/heartbeat-paths.ts';
import { HeartbeatAcceptor } from '../../../firmware/cluster/replay.ts';
import { SerialFrameDecoder, encodeFrame } from '../../../firmware/cluster/serial-framing.ts';
import { LAB_TIMING } from '../../../firmware/cluster/timing.ts';
import { encodeWitnessSlot } from '../../../firmware/cluster/witness-layout.ts';
import { KEY, heartbeat } from './fixtures.ts';

export function setup(paths: HeartbeatPath[] = ['serial', 'net', 'disk']) {
  const clock = new SimClock();
  const timing = LAB_TIMING;
  const membership = new Membership({ clock, timing, paths });
  const acceptor = new HeartbeatAcceptor({ boxId: 0x00c0ffee, self: 'A', key: KEY });
  const intake = new HeartbeatIntake('A', acceptor, membership);
  const serial = new SerialFrameDecoder();
  const events: MembershipEvent[] = [];
  membership.on((e) => events.push(e));
  const peer = {
    live: new Set<HeartbeatPath>(paths),
    seq: 0,
    seesPeer: 0x0f,
    sent: [] as Uint8Array[],
    /** The witness slot sector on the shared disk, last written by B. */
    slot: undefined as Uint8Array | undefined,
    /** Fields runPeer's heartbeats carry on top of the fixture's (e.g. other versions). */
    over: {} as Partial<Heartbeat>,
  };

  /** Deliver one message on one path through the real decoding chain. */
  function deliver(path: HeartbeatPath, bytes: Uint8Array): void {
    switch (path) {
      case 'serial':
        for (const f of serial.push(encodeFrame(bytes))) intake.receive('serial', f);
        return;
      case 'disk':
        peer.slot = encodeWitnessSlot({ controller: 'B', message: bytes });
        return;
      case 'net':
      case 'lan':
        intake.receive(path, bytes);
        return;
    }
  }

  function send(over: Partial<Heartbeat> = {}): Uint8Array {
    peer.seq++;
    const base = heartbeat();
    const bytes = encodeHeartbeat(
      heartbeat({
        seq: peer.seq,
        senderMonoMs: clock.monotonicMs(),
        health: { ...base.health, seesPeer: peer.seesPeer },
        ...over,
      }),
      KEY,
    );
    peer.sent.push(bytes);
    for (const p of peer.live) deliver(p, bytes);
    return bytes;
  }

  /** Start B sending every interval and A reading B's witness slot every interval. */
  function runPeer(nextDelay: () => number = () => timing.intervalMs) {
    let stopped = false;
    const tick = () => {
      if (stopped) return;
      send(peer.over);
      clock.after(nextDelay(), tick);
    };
    clock.after(nextDelay(), tick);
    const reader = clock.every(timing.intervalMs, () => {
      if (peer.slot !== undefined && paths.includes('disk')) intake.receiveWitnessSlot(peer.slot);
    });
    return () => {
      stopped = true;
      reader.cancel();
    };
  }

  const ofType = <T extends MembershipEvent['type']>(type: T) =>
    events.filter((e): e is MembershipEvent & { type: T } => e.type === type);
  membership.start();
  return {
    clock,
    timing,
    membership,
    acceptor,
    intake,
    serial,
    events,
    peer,
    send,
    deliver,
    runPeer,
    ofType,
  };
}
