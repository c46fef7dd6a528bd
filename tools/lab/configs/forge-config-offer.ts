// Sends a config offer that looks like controller B's, correctly signed with
// the lab key, for an older (or any) configVersion: what a peer that missed a
// change, or a replayed old offer, would look like on the private link. Run
// inside tdm-b:  node forge-config-offer.ts VERSION [TARGET_ADDR] [PORT]
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { validateConfig } from '../../../firmware/config/validate.ts';
import { boxNumber, keyBytes } from '../../../firmware/cluster/identity.ts';
import { encodeOffer, newOfferId } from '../../../firmware/config/replication/offer-wire.ts';
import { sharedHash, sharedPart } from '../../../firmware/config/replication/shared-fields.ts';
import { configFile } from './daemons.ts';

const version = Number(process.argv[2]);
const target = process.argv[3] ?? '198.18.1.1';
const port = Number(process.argv[4] ?? '7789');
if (!Number.isSafeInteger(version) || version < 0 || !(port > 0 && port < 65536)) {
  console.error('usage: forge-config-offer.ts VERSION [TARGET_ADDR] [PORT]');
  process.exit(2);
}
const parsed = validateConfig(JSON.parse(readFileSync(configFile('B'), 'utf8')));
if (!parsed.ok) throw new Error('lab config of B does not validate');
// Different content from anything in force, so only the version decides.
const cfg = {
  ...parsed.config,
  configVersion: version,
  eventlog: { maxAgeDays: 1, maxRows: 1000, maxBytes: 67_108_864 },
};
const fragments = encodeOffer(
  { sender: 'B', boxId: boxNumber(cfg.box.id), offerId: newOfferId(), version, hash: sharedHash(cfg) },
  deflateRawSync(JSON.stringify(sharedPart(cfg))),
  keyBytes(cfg.cluster.key),
);
const sock = createSocket('udp4');
let sent = 0;
for (const f of fragments) {
  await new Promise<void>((resolve) => sock.send(f, port, target, () => resolve()));
  sent++;
}
sock.close();
console.log(JSON.stringify({ sent, version }));
