// PEER_PROTOCOL_MISMATCH: the peer's authenticated heartbeats speak another
// protocol major (docs/heartbeat.md, Versions). Level-triggered from
// membership's verdict, on every membership event and every interval; one
// left active by a previous process is adopted, so it clears when the
// majors match again. A minor difference raises nothing (membership's
// peer-versions event is logged as information).
import type { AlarmManager } from '../alarms/alarm-manager.ts';
import type { ControllerId } from '../cluster/codes.ts';
import { PROTOCOL, formatProtocol, type SoftwareVersions } from '../cluster/protocol.ts';
import { firmwareVersion } from '../core/firmware-version.ts';

/** What the alarm reads of membership. */
export interface VersionsView {
  peerVersions(): SoftwareVersions | undefined;
  peerCompatible(): boolean;
}

export class ProtocolAlarm {
  private readonly alarms: AlarmManager;
  private readonly peer: ControllerId;
  private readonly view: VersionsView;
  /** What the raised alarm says ('' while not raised). */
  private key: string;

  constructor(alarms: AlarmManager, peer: ControllerId, view: VersionsView) {
    this.alarms = alarms;
    this.peer = peer;
    this.view = view;
    this.key = alarms.active().some((a) => a.code === 'PEER_PROTOCOL_MISMATCH' && a.subject === peer)
      ? '(adopted)'
      : '';
  }

  tick(): void {
    const v = this.view.peerVersions();
    const incompatible = v !== undefined && !this.view.peerCompatible();
    const key = incompatible ? `${formatProtocol(v.protocol)} ${v.firmwareVersion}` : '';
    if (key === this.key) return;
    this.key = key;
    if (!incompatible) {
      this.alarms.clear('PEER_PROTOCOL_MISMATCH', this.peer);
      return;
    }
    this.alarms.raise('PEER_PROTOCOL_MISMATCH', {
      subject: this.peer,
      params: {
        peerProtocol: formatProtocol(v.protocol),
        peerFirmware: v.firmwareVersion,
        ownProtocol: formatProtocol(PROTOCOL),
        ownFirmware: firmwareVersion(),
      },
    });
  }
}
