// A fresh 64-bit incarnation per process start (docs/heartbeat.md
// "Incarnations"): the receiver only needs it to differ from earlier ones.
import { randomBytes } from 'node:crypto';

export function newIncarnation(): bigint {
  return randomBytes(8).readBigUInt64BE(0);
}
