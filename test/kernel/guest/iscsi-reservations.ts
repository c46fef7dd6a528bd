// Runs inside a kernel-tier guest (test/kernel/iscsi-reservations.test.ts):
// OUR iSCSI initiator (hal/scsi/iscsi) logs in to LIO on 127.0.0.1 (no
// open-iscsi) as controller A and as controller B, and the reservation
// manager runs its acceptance over those two sessions (two I_T nexuses). A
// third session C (A's initiator name, its own ISID: a third nexus) holds a
// foreign key as a bystander registrant, to see which unit attentions LIO
// gives a registrant that is not preempted. A's first login goes through a
// recording TCP relay so that LIO's real Login Response bytes come out.
// Every command's unit attention is recorded per nexus, with the step it
// happened in. One Node process prints one JSON report; the host judges it.
import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';
import { SystemClock } from '../../../hal/clock/system.ts';
import * as scsi from '../../../hal/scsi/commands.ts';
import type { ScsiCommand, ScsiDevice, ScsiResult } from '../../../hal/scsi/device.ts';
import { isScsiError } from '../../../hal/scsi/errors.ts';
import { decodeSense } from '../../../hal/scsi/sense.ts';
import { IscsiInitiator, randomIsid } from '../../../hal/scsi/iscsi/initiator.ts';
import { guestManager } from './manager.ts';
import { formatKey } from '../../../firmware/fencing/keys.ts';
import { PrType } from '../../../hal/scsi/cdb/pr-types.ts';
import { errorMessage } from '../../../hal/errors.ts';

const TARGET = 'iqn.2026-12.invalid.tandem:encl';
const NAME = { A: 'iqn.2026-12.invalid.tandem:ctl-a', B: 'iqn.2026-12.invalid.tandem:ctl-b' };
const RELAY_PORT = 3261;
type Nexus = 'A' | 'B' | 'C';

const hex = (n: number | undefined): string => (n ?? 0).toString(16).padStart(2, '0');
let step = 'login';
const attentions: { nexus: Nexus; step: string; ua: string }[] = [];
const report: Record<string, unknown> = {};
const timings: Record<string, number> = {};
const t0 = Date.now();
const mark = (what: string): void => {
  timings[what] = Date.now() - t0;
};

/** Records every unit attention that any command on this nexus meets (ours or the manager's). */
function watched(nexus: Nexus, dev: ScsiDevice): ScsiDevice {
  return {
    description: dev.description,
    close: () => dev.close(),
    async execute(cmd: ScsiCommand): Promise<ScsiResult> {
      const r = await dev.execute(cmd);
      if (r.status === 0x02 && r.sense.length > 0) {
        const s = decodeSense(r.sense);
        if (s.senseKey === 0x06) attentions.push({ nexus, step, ua: `${hex(s.asc)}/${hex(s.ascq)}` });
      }
      return r;
    },
  };
}

/** A relay on RELAY_PORT to LIO that keeps the first connection's target-to-initiator bytes. */
async function recordingRelay(): Promise<{ captured: () => Buffer; close: () => void }> {
  const chunks: Buffer[] = [];
  let first = true;
  const server = createServer((client: Socket) => {
    const keep = first;
    first = false;
    const upstream = createConnection({ host: '127.0.0.1', port: 3260 });
    client.pipe(upstream);
    upstream.on('data', (b: Buffer) => {
      if (keep) chunks.push(b);
      client.write(b);
    });
    upstream.on('end', () => client.end());
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });
  server.listen(RELAY_PORT, '127.0.0.1');
  await once(server, 'listening');
  return { captured: () => Buffer.concat(chunks), close: () => server.close() };
}

/** Login Responses (opcode 0x23) at the start of the captured stream: BHS hex and data segment. */
function loginResponses(stream: Buffer): { bhs: string; text: string }[] {
  const out: { bhs: string; text: string }[] = [];
  let at = 0;
  while (at + 48 <= stream.length && (stream[at]! & 0x3f) === 0x23) {
    const ahs = stream[at + 4]! * 4;
    const len = stream.readUIntBE(at + 5, 3);
    const bhs = stream.subarray(at, at + 48).toString('hex');
    const textAt = at + 48 + ahs;
    out.push({ bhs, text: stream.subarray(textAt, textAt + len).toString('latin1') });
    at = textAt + len + ((4 - (len % 4)) % 4);
  }
  return out;
}

function initiator(name: string, port: number): IscsiInitiator {
  return new IscsiInitiator(
    {
      portal: { host: '127.0.0.1', port },
      targetIqn: TARGET,
      initiatorName: name,
      lun: 0,
      auth: { method: 'none' },
      timeouts: { connectMs: 5000, loginMs: 20_000, logoutMs: 5000 },
      reconnect: { enabled: true, initialDelayMs: 200, maxDelayMs: 2000, jitter: 0 },
    },
    { clock },
  );
}

async function outcome(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (err) {
    if (isScsiError(err)) return err.kind;
    return `error: ${errorMessage(err)}`;
  }
}

const clock = new SystemClock();
const relay = await recordingRelay();
const iA = initiator(NAME.A, RELAY_PORT);
const iB = initiator(NAME.B, 3260);
const iC = initiator(NAME.A, 3260);
let loginError: string | null = null;
try {
  await iA.connect();
} catch (err) {
  loginError = errorMessage(err);
}
report['loginResponses'] = loginResponses(relay.captured());
relay.close();
report['loginError'] = loginError;
if (loginError !== null) {
  console.log(JSON.stringify(report));
  process.exit(0);
}
mark('loginA');
report['negotiatedA'] = iA.negotiated;
await iB.connect();
await iC.connect();
mark('loginBC');
const a = watched('A', iA);
const b = watched('B', iB);
const c = watched('C', iC);
const opts = { timeoutMs: 10_000 };
const block = (fill: number): Uint8Array => new Uint8Array(512).fill(fill);

// The first command of each new session: which unit attention LIO reports (29/00 on tgt).
step = 'first-command';
for (const d of [a, b, c]) await scsi.testUnitReady(d, opts).catch(() => undefined);
const inquiry = await scsi.inquiry(a, opts);
report['vendor'] = inquiry.vendor.trim();
report['capabilities'] = await scsi.reportCapabilities(a, opts);

const rmA = guestManager(a, 'A', clock, iA);
const rmB = guestManager(b, 'B', clock, iB);
const sessionChanges: string[] = [];
rmB.on('session-changed', (i) => sessionChanges.push(i.reason));

step = 'register';
report['startA'] = (await rmA.start()).kind;
report['startB'] = (await rmB.start()).kind;
// C: a bystander registrant with a key outside this box's prefix.
const keyC = 0x00c0ffee00000001n;
report['registerC'] = await outcome(() => scsi.registerIgnore(c, keyC, opts));
report['keyA'] = formatKey(rmA.snapshot().ourKey ?? 0n);
report['keyB'] = formatKey(rmB.snapshot().ourKey ?? 0n);
report['keysBefore'] = (await scsi.readKeys(c, opts)).keys.map(formatKey);
const resv = async (d: ScsiDevice): Promise<{ key: string; type: number } | null> => {
  const r = (await scsi.readReservation(d, opts)).reservation;
  return r === null ? null : { key: formatKey(r.key), type: r.type };
};
report['reservationBefore'] = await resv(c);
report['bWriteBeforeFence'] = await outcome(() => scsi.write16(b, 100n, block(0xbb), { ...opts, fua: true }));
mark('registered');

step = 'fence-b';
const fence = await rmA.fencePeer();
report['fence'] =
  fence.kind === 'peer-fenced'
    ? { kind: fence.kind, method: fence.method, preempted: fence.preempted.map(formatKey) }
    : { kind: fence.kind, error: 'error' in fence ? fence.error.message : undefined };
mark('fenced');
step = 'after-fence-b';
report['bWriteAfterFence'] = await outcome(() => scsi.write16(b, 100n, block(0xcc), { ...opts, fua: true }));
const bRead = await scsi.read16(b, 100n, 1, 512, opts).catch((e: unknown) => e);
report['bReadAfterFence'] =
  bRead instanceof Uint8Array
    ? bRead.every((x) => x === 0xbb)
      ? 'ok: B-data'
      : 'ok: other-data'
    : String(bRead);
report['aWriteAfterFence'] = await outcome(() => scsi.write16(a, 101n, block(0xaa), { ...opts, fua: true }));
report['cWriteAfterFence'] = await outcome(() => scsi.write16(c, 103n, block(0xc1), { ...opts, fua: true }));
report['bVerify'] = (await rmB.verifyOwnRegistration()).kind;
report['bPoll'] = (await rmB.pollNow()).kind;
report['keysAfterFence'] = (await scsi.readKeys(b, opts)).keys.map(formatKey);
report['reservationAfterFence'] = await resv(b);

step = 'rejoin-b';
const rejoin = await rmB.register();
report['bRejoin'] = rejoin.kind;
report['bKeyAfterRejoin'] = rejoin.kind === 'registered' ? formatKey(rejoin.key) : null;
report['bWriteAfterRejoin'] = await outcome(() => scsi.write16(b, 102n, block(0xbd), { ...opts, fua: true }));

// Reconnect: B's TCP connection is cut under it (no Logout). The initiator
// logs in again with the same ISID (the same I_T nexus to LIO) and the
// manager, told 'reconnected', registers again.
step = 'reconnect-b';
const keyBeforeDrop = rmB.snapshot().ourKey;
const reconnected = once(iB, 'reconnected');
(iB as unknown as { conn: { socket: Socket } }).conn.socket.destroy();
const [info] = (await reconnected) as [{ attempts: number }];
report['bReconnectAttempts'] = info.attempts;
mark('reconnected');
// The manager's repair runs in its queue; a verify queues behind it.
report['bVerifyAfterReconnect'] = (await rmB.verifyOwnRegistration()).kind;
report['bSessionChanges'] = sessionChanges;
report['bKeyBeforeDrop'] = keyBeforeDrop === null ? null : formatKey(keyBeforeDrop);
report['bKeyAfterReconnect'] = formatKey(rmB.snapshot().ourKey ?? 0n);
report['keysAfterReconnect'] = (await scsi.readKeys(a, opts)).keys.map(formatKey);
report['bWriteAfterReconnect'] = await outcome(() =>
  scsi.write16(b, 104n, block(0xbe), { ...opts, fua: true }),
);

// B's firmware restarts: a new initiator object with the SAME ISID (so the
// same I_T nexus to the target); the new manager registers a new generation.
step = 'restart-same-isid';
const isidB = (iB as unknown as { isid: Uint8Array }).isid;
await iB.close();
const iB2 = new IscsiInitiator(iB.config, { clock, isid: isidB });
await iB2.connect();
const b2 = watched('B', iB2);
await scsi.testUnitReady(b2, opts).catch(() => undefined);
report['keysAfterRestart'] = (await scsi.readKeys(b2, opts)).keys.map(formatKey);
const rmB2 = guestManager(b2, 'B', clock, iB2);
const reg2 = await rmB2.register();
report['b2Register'] = reg2.kind;
report['b2Key'] = reg2.kind === 'registered' ? formatKey(reg2.key) : null;
report['keysAfterB2Register'] = (await scsi.readKeys(a, opts)).keys.map(formatKey);
report['b2Write'] = await outcome(() => scsi.write16(b2, 105n, block(0xb2), { ...opts, fua: true }));

// Takeover: B fences A, the reservation holder (the failover direction).
step = 'fence-a';
const fenceA = await rmB2.fencePeer();
report['fenceA'] =
  fenceA.kind === 'peer-fenced'
    ? { kind: fenceA.kind, method: fenceA.method, preempted: fenceA.preempted.map(formatKey) }
    : { kind: fenceA.kind, error: 'error' in fenceA ? fenceA.error.message : undefined };
step = 'after-fence-a';
report['aWriteAfterFenceA'] = await outcome(() => scsi.write16(a, 106n, block(0xa2), { ...opts, fua: true }));
report['reservationAfterFenceA'] = await resv(c);
report['cWriteAfterFenceA'] = await outcome(() => scsi.write16(c, 107n, block(0xc2), { ...opts, fua: true }));
report['b2WriteAfterFenceA'] = await outcome(() =>
  scsi.write16(b2, 108n, block(0xb3), { ...opts, fua: true }),
);
report['aVerify'] = (await rmA.verifyOwnRegistration()).kind;

// RELEASE and CLEAR by the holder: what the other registrants are told.
step = 'release';
const keyB2 = rmB2.snapshot().ourKey ?? 0n;
report['release'] = await outcome(() =>
  scsi.release(b2, keyB2, PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, opts),
);
await scsi.testUnitReady(c, opts).catch(() => undefined);
report['reserveAgain'] = await outcome(() =>
  scsi.reserve(b2, keyB2, PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, opts),
);
step = 'clear';
report['clear'] = await outcome(() => scsi.clear(b2, keyB2, opts));
await scsi.testUnitReady(c, opts).catch(() => undefined);
report['keysAfterClear'] = (await scsi.readKeys(c, opts)).keys.map(formatKey);
report['reservationAfterClear'] = await resv(c);

// A new ISID under B's name (a second nexus of the same initiator, or a
// restart that draws a new random ISID): A registers and reserves again, B2
// registers; then B3 logs in, writes without registering, registers, and
// the manager preempts B2's key as its orphan.
step = 'new-isid-b';
report['aReRegister'] = (await rmA.register()).kind;
report['aReReserve'] = (await rmA.reserve()).kind;
report['b2ReRegister'] = (await rmB2.register()).kind;
const iB3 = new IscsiInitiator(iB.config, { clock, isid: randomIsid() });
await iB3.connect();
const b3 = watched('B', iB3);
await scsi.testUnitReady(b3, opts).catch(() => undefined);
report['keysWithOrphan'] = (await scsi.readKeys(b3, opts)).keys.map(formatKey);
report['b3WriteBeforeRegister'] = await outcome(() =>
  scsi.write16(b3, 109n, block(0xb4), { ...opts, fua: true }),
);
const rmB3 = guestManager(b3, 'B', clock, iB3);
const reg3 = await rmB3.register();
report['b3Register'] = reg3.kind;
report['keysAfterB3Register'] = (await scsi.readKeys(a, opts)).keys.map(formatKey);
report['b3WriteAfterRegister'] = await outcome(() =>
  scsi.write16(b3, 109n, block(0xb4), { ...opts, fua: true }),
);
report['b3Verify'] = (await rmB3.verifyOwnRegistration()).kind;
report['b3Fence'] = (await rmB3.fencePeer()).kind;
await iB3.close();

rmA.stop();
rmB.stop();
report['attentions'] = attentions;
report['timingsMs'] = timings;
await iA.close();
await iB2.close();
await iC.close();
console.log(JSON.stringify(report));
