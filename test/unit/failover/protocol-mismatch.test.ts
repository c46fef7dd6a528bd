// A peer of another protocol major (docs/heartbeat.md, Versions) on the
// simulated box: its authenticated heartbeats keep it alive, the standby
// raises PEER_PROTOCOL_MISMATCH and refuses to take over from it, even once
// it falls silent; the alarm clears when the majors match again.
import { describe, expect, it, vi } from 'vitest';
import type * as MessageModule from '../../../firmware/cluster/message.ts';
import { PROTOCOL, type SoftwareVersions } from '../../../firmware/cluster/protocol.ts';
import { dbPair } from './simulation.ts';

/** While set, controller A's heartbeats say they speak this (its body stays major 1's). */
const aSpeaks: { versions: SoftwareVersions | undefined } = { versions: undefined };

vi.mock('../../../firmware/cluster/message.ts', async (importOriginal) => {
  const real = await importOriginal<typeof MessageModule>();
  const encodeHeartbeat: typeof real.encodeHeartbeat = (msg, key) =>
    real.encodeHeartbeat(
      msg.controller === 'A' && aSpeaks.versions !== undefined ? { ...msg, versions: aSpeaks.versions } : msg,
      key,
    );
  return { ...real, encodeHeartbeat };
});

const MAJOR_2: SoftwareVersions = {
  protocol: { major: 2, minor: 0 },
  firmwareVersion: '0.2.0',
  configSchema: 2,
};

describe('a peer of another protocol major', () => {
  it('is alive, not understood: no takeover from it, an alarm with the remedy, cleared when the majors match', async () => {
    const sim = await dbPair();
    const b = sim.box.controller('B');
    expect(b?.peerProtocolCompatible()).toBe(true);
    expect(b?.peerVersions()?.protocol).toEqual(PROTOCOL);

    aSpeaks.versions = MAJOR_2;
    try {
      await sim.run(5_000);
      // Heartbeats of major 2 keep arriving: the peer is alive, on every path.
      expect(b?.status.current().peer.state).toBe('alive');
      expect(b?.peerProtocolCompatible()).toBe(false);
      expect(b?.peerVersions()).toEqual(MAJOR_2);
      const peer = b?.status.current().peer;
      expect(peer).toMatchObject({
        firmwareVersion: '0.2.0',
        protocol: { major: 2, minor: 0 },
        configSchema: 2,
        protocolCompatible: false,
      });
      const alarm = sim.box
        .alarms('B')
        .active()
        .find((a) => a.code === 'PEER_PROTOCOL_MISMATCH');
      expect(alarm?.subject).toBe('A');
      expect(alarm?.message).toMatch(
        /^The peer A runs protocol 2\.0 \(firmware 0\.2\.0\), this controller 1\.1 .*finish the upgrade \(tandemctl upgrade\) or roll the peer back \(docs\/upgrade\.md\); neither controller takes over from the other meanwhile$/,
      );
      expect(
        sim.box
          .alarms('B')
          .active()
          .map((a) => a.code),
      ).not.toContain('PEER_DEAD');
      expect(sim.holders('db')).toEqual(['A']);

      // The major-2 peer falls silent: still no takeover, with the reason logged.
      const before = sim.log.length;
      sim.crash('A');
      await sim.run(20_000);
      const bLog = sim.log.slice(before).filter((r) => r.controller === 'B');
      expect(bLog.some((r) => r.event === 'peer-dead' && /another protocol major/.test(r.text))).toBe(true);
      expect(bLog.map((r) => r.to)).not.toContain('fencing');
      expect(bLog.map((r) => r.to)).not.toContain('taking-over');
      expect(sim.holders('db')).toEqual([]);
      expect(
        sim.box
          .alarms('B')
          .active()
          .map((a) => a.code),
      ).toContain('PEER_PROTOCOL_MISMATCH');
    } finally {
      aSpeaks.versions = undefined;
    }

    // A comes back speaking 1.1: the alarm clears, the box runs db again.
    sim.boot('A');
    await sim.run(20_000);
    expect(b?.peerProtocolCompatible()).toBe(true);
    expect(
      sim.box
        .alarms('B')
        .active()
        .map((a) => a.code),
    ).not.toContain('PEER_PROTOCOL_MISMATCH');
    expect(sim.holders('db')).toHaveLength(1);
  });
});
