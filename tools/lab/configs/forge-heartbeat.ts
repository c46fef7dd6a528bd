// Sends heartbeats that look like controller B's but are signed with the
// wrong key, from inside tdm-b to A's private address, as an attacker (or a
// misconfigured peer) on the private link would. Usage:
//   node forge-heartbeat.ts SECONDS [TARGET_ADDR] [PORT]
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { encodeHeartbeat } from '../../../firmware/cluster/message.ts';
import { boxNumber } from '../../../firmware/cluster/identity.ts';
import { ownVersions } from '../../../firmware/heartbeat/own-versions.ts';

const seconds = Number(process.argv[2] ?? '5');
const target = process.argv[3] ?? '198.18.1.1';
const port = Number(process.argv[4] ?? '7788');
if (!(seconds > 0 && seconds <= 600) || !(port > 0 && port < 65536)) {
  console.error('usage: forge-heartbeat.ts SECONDS [TARGET_ADDR] [PORT]');
  process.exit(2);
}
const wrongKey = randomBytes(32);
const incarnation = randomBytes(8).readBigUInt64BE(0);
const sock = createSocket('udp4');
let seq = 0;
let sent = 0;
const timer = setInterval(() => {
  const msg = encodeHeartbeat(
    {
      boxId: boxNumber('lab-box'),
      controller: 'B',
      incarnation,
      seq: ++seq,
      versions: ownVersions(),
      senderMonoMs: Math.floor(performance.now()),
      role: 'standby',
      state: 'standby',
      groups: [],
      configVersion: 0,
      maintenance: { on: false, epoch: 0 },
      health: { seesPeer: 0x0b, diskAccess: true, resources: [] },
    },
    wrongKey,
  );
  sock.send(msg, port, target, () => sent++);
}, 50);
setTimeout(() => {
  clearInterval(timer);
  sock.close();
  console.log(JSON.stringify({ forged: sent }));
}, seconds * 1000);
