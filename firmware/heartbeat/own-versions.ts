// What this controller's heartbeats say about its software (docs/heartbeat.md,
// Versions): the protocol it speaks, its firmware version and the highest
// config schema it reads.
import { PROTOCOL, type SoftwareVersions } from '../cluster/protocol.ts';
import { CONFIG_SCHEMA_VERSION } from '../config/schema-version.ts';
import { firmwareVersion } from '../core/firmware-version.ts';

export function ownVersions(): SoftwareVersions {
  return { protocol: PROTOCOL, firmwareVersion: firmwareVersion(), configSchema: CONFIG_SCHEMA_VERSION };
}
