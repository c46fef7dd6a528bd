// A scripted in-process iSCSI target on 127.0.0.1 for unit tests. It speaks
// just enough of RFC 7143 to log in (None or CHAP) and serve a small RAM disk,
// and lets a test inject raw PDUs, drop connections or swallow commands.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { PduFramer } from '../../../hal/scsi/iscsi/framer.ts';
import {
  BHS_LENGTH,
  INITIATOR_OPCODES,
  InitiatorOpcode,
  RESERVED_TAG,
  TargetOpcode,
  paddingFor,
  writeDataSegmentLength,
  type RawPdu,
} from '../../../hal/scsi/iscsi/pdu.ts';
import { decodeText, encodeText } from '../../../hal/scsi/iscsi/text.ts';

export const TARGET_IQN = 'iqn.2026-11.invalid.tandem:fake';
export const BLOCK = 512;

export interface FakeCommand {
  readonly itt: number;
  readonly cdb: Buffer;
  readonly edtl: number;
  readonly cmdSN: number;
  readonly immediate: Buffer;
}

export type CommandHandler = (cmd: FakeCommand, conn: FakeConnection) => 'default' | 'handled';

export interface FakeTargetOptions {
  readonly chap?: { readonly username: string; readonly secret: string };
  /** Declare MaxRecvDataSegmentLength in the login response (tgt does not). */
  readonly declareMrdsl?: number;
  /** Data-In payload per PDU, to exercise assembly. */
  readonly dataInChunk?: number;
  readonly blocks?: number;
  /** CmdSN window the target grants beyond ExpCmdSN. */
  readonly window?: number;
}

/** Build a target PDU: BHS fields written by the caller, data appended and padded. */
export function targetPdu(opcode: number, flags: number, fill: (bhs: Buffer) => void, data?: Buffer): Buffer {
  const bhs = Buffer.alloc(BHS_LENGTH);
  bhs[0] = opcode;
  bhs[1] = flags;
  fill(bhs);
  if (data === undefined || data.length === 0) return bhs;
  writeDataSegmentLength(bhs, data.length);
  return Buffer.concat([bhs, data, paddingFor(data.length)]);
}

export class FakeConnection {
  readonly socket: Socket;
  private readonly target: FakeTarget;
  statSN = 100;
  expCmdSN = 0;
  private pendingWrite: { cmd: FakeCommand; data: Buffer; received: number } | undefined;

  constructor(socket: Socket, target: FakeTarget) {
    this.socket = socket;
    this.target = target;
    const framer = new PduFramer({
      device: 'fake',
      maxDataSegmentLength: 1 << 24,
      opcodes: INITIATOR_OPCODES,
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const pdu of framer.push(chunk)) this.onPdu(pdu);
      } catch (err) {
        target.errors.push(err as Error);
        socket.destroy();
      }
    });
    socket.on('error', () => {});
  }

  /** Sequence fields every status PDU carries. */
  seq(bhs: Buffer, advance: boolean): void {
    bhs.writeUInt32BE(this.statSN, 24);
    if (advance) this.statSN++;
    bhs.writeUInt32BE(this.expCmdSN >>> 0, 28);
    bhs.writeUInt32BE((this.expCmdSN + (this.target.options.window ?? 32) - 1) >>> 0, 32);
  }

  send(buf: Buffer): void {
    this.socket.write(buf);
  }

  sendResponse(itt: number, status: number, sense?: Buffer): void {
    const data =
      sense === undefined
        ? undefined
        : Buffer.concat([Buffer.from([sense.length >> 8, sense.length & 0xff]), sense]);
    this.send(
      targetPdu(
        TargetOpcode.SCSI_RESPONSE,
        0x80,
        (b) => {
          b[3] = status;
          b.writeUInt32BE(itt, 16);
          this.seq(b, true);
        },
        data,
      ),
    );
  }

  /** Data-In in chunks, status folded into the last one. */
  sendDataIn(itt: number, data: Buffer, edtl: number): void {
    const chunk = this.target.options.dataInChunk ?? 8192;
    const send = Math.min(data.length, edtl);
    let dataSN = 0;
    for (let off = 0; off < send || off === 0; off += chunk) {
      const last = off + chunk >= send;
      const piece = data.subarray(off, Math.min(send, off + chunk));
      this.send(
        targetPdu(
          TargetOpcode.DATA_IN,
          last ? 0x81 | (edtl > send ? 0x02 : 0) : 0,
          (b) => {
            b.writeUInt32BE(itt, 16);
            b.writeUInt32BE(RESERVED_TAG, 20);
            this.seq(b, last);
            b.writeUInt32BE(dataSN++, 36);
            b.writeUInt32BE(off, 40);
            if (last) b.writeUInt32BE(edtl - send, 44);
          },
          piece,
        ),
      );
      if (last) break;
    }
  }

  sendR2T(itt: number, ttt: number, offset: number, length: number): void {
    this.send(
      targetPdu(TargetOpcode.R2T, 0x80, (b) => {
        b.writeUInt32BE(itt, 16);
        b.writeUInt32BE(ttt, 20);
        this.seq(b, false);
        b.writeUInt32BE(offset, 40);
        b.writeUInt32BE(length, 44);
      }),
    );
  }

  sendNopIn(ttt: number, ping: Buffer): void {
    this.send(
      targetPdu(
        TargetOpcode.NOP_IN,
        0x80,
        (b) => {
          b[9] = 1; // LUN 1, to check it is echoed
          b.writeUInt32BE(RESERVED_TAG, 16);
          b.writeUInt32BE(ttt, 20);
          this.seq(b, false);
        },
        ping,
      ),
    );
  }

  private onPdu(pdu: RawPdu): void {
    this.target.received.push(pdu);
    const b = pdu.bhs;
    switch (pdu.opcode) {
      case InitiatorOpcode.LOGIN_REQUEST:
        this.onLogin(pdu);
        break;
      case InitiatorOpcode.SCSI_COMMAND: {
        this.expCmdSN = (b.readUInt32BE(24) + 1) >>> 0;
        const cmd: FakeCommand = {
          itt: b.readUInt32BE(16),
          edtl: b.readUInt32BE(20),
          cmdSN: b.readUInt32BE(24),
          cdb: Buffer.from(b.subarray(32, 48)),
          immediate: Buffer.from(pdu.data),
        };
        this.target.commands.push(cmd);
        if (this.target.onCommand(cmd, this) === 'default') this.serve(cmd);
        break;
      }
      case InitiatorOpcode.DATA_OUT: {
        const w = this.pendingWrite;
        if (w === undefined) throw new Error('Data-Out without a write');
        pdu.data.copy(w.data, b.readUInt32BE(40));
        w.received += pdu.data.length;
        if ((b[1]! & 0x80) !== 0) this.continueWrite(w);
        break;
      }
      case InitiatorOpcode.NOP_OUT:
        break;
      case InitiatorOpcode.LOGOUT_REQUEST:
        this.send(
          targetPdu(TargetOpcode.LOGOUT_RESPONSE, 0x80, (r) => {
            r.writeUInt32BE(b.readUInt32BE(16), 16);
            this.seq(r, true);
          }),
        );
        this.socket.end();
        break;
      default:
        throw new Error(`fake target: opcode ${pdu.opcode}`);
    }
  }

  private chapId = 0;
  private chapChallenge = Buffer.alloc(0);

  private onLogin(pdu: RawPdu): void {
    const b = pdu.bhs;
    const transit = (b[1]! & 0x80) !== 0;
    const csg = (b[1]! >> 2) & 3;
    const nsg = b[1]! & 3;
    const keys = decodeText(pdu.data);
    this.expCmdSN = b.readUInt32BE(24);
    const reply = (t: boolean, n: number, pairs: [string, string][], status = 0): void => {
      this.send(
        targetPdu(
          TargetOpcode.LOGIN_RESPONSE,
          (t ? 0x80 : 0) | (csg << 2) | (t ? n : 0),
          (r) => {
            b.copy(r, 8, 8, 14); // ISID
            r.writeUInt16BE(t && n === 3 ? this.target.nextTsih++ : 0, 14);
            r.writeUInt32BE(b.readUInt32BE(16), 16);
            this.seq(r, true);
            r[36] = status >> 8;
            r[37] = status & 0xff;
          },
          encodeText(pairs),
        ),
      );
      if (status !== 0) this.socket.end();
    };
    const chap = this.target.options.chap;
    if (csg === 0) {
      if (keys.has('InitiatorName')) this.target.initiatorNames.push(keys.get('InitiatorName')!);
      if (keys.get('TargetName') !== undefined && keys.get('TargetName') !== TARGET_IQN)
        return reply(false, 0, [], 0x0203);
      if (chap === undefined)
        // tgt's order: login_start() adds TargetPortalGroupTag before text_scan_security() answers AuthMethod.
        return reply(transit, nsg, [
          ['TargetPortalGroupTag', '1'],
          ['AuthMethod', 'None'],
        ]);
      if (keys.get('AuthMethod') === 'CHAP') return reply(false, 0, [['AuthMethod', 'CHAP']]);
      if (keys.get('CHAP_A') === '5') {
        this.chapId = 7;
        this.chapChallenge = randomBytes(16);
        return reply(false, 0, [
          ['CHAP_A', '5'],
          ['CHAP_I', String(this.chapId)],
          ['CHAP_C', '0x' + this.chapChallenge.toString('hex')],
        ]);
      }
      const expected = createHash('md5')
        .update(Buffer.of(this.chapId))
        .update(chap.secret)
        .update(this.chapChallenge)
        .digest('hex');
      if (keys.get('CHAP_N') === chap.username && keys.get('CHAP_R') === '0x' + expected)
        return reply(transit, nsg, []);
      return reply(false, 0, [], 0x0201);
    }
    const mrdsl = this.target.options.declareMrdsl;
    const pairs: [string, string][] = [
      ['HeaderDigest', 'None'],
      ['DataDigest', 'None'],
      ['InitialR2T', 'Yes'],
      ['ImmediateData', 'Yes'],
      ['FirstBurstLength', '65536'],
      ['MaxBurstLength', '262144'],
      ['MaxOutstandingR2T', '1'],
      ['ErrorRecoveryLevel', '0'],
    ];
    if (mrdsl !== undefined) pairs.push(['MaxRecvDataSegmentLength', String(mrdsl)]);
    reply(transit, nsg, pairs);
  }

  private serve(cmd: FakeCommand): void {
    const disk = this.target.disk;
    switch (cmd.cdb[0] ?? -1) {
      case 0x00:
        return this.sendResponse(cmd.itt, 0);
      case 0x12: {
        const inq = Buffer.alloc(36);
        inq.write('FAKE    TANDEM-TEST     0001', 8, 'latin1');
        return this.sendDataIn(cmd.itt, inq, cmd.edtl);
      }
      case 0x88: {
        const lba = Number(cmd.cdb.readBigUInt64BE(2));
        const n = cmd.cdb.readUInt32BE(10);
        return this.sendDataIn(cmd.itt, disk.subarray(lba * BLOCK, (lba + n) * BLOCK), cmd.edtl);
      }
      case 0x8a: {
        const w = { cmd, data: Buffer.alloc(cmd.edtl), received: cmd.immediate.length };
        cmd.immediate.copy(w.data, 0);
        this.pendingWrite = w;
        return this.continueWrite(w);
      }
      default:
        // ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE
        return this.sendResponse(cmd.itt, 2, Buffer.from('700005000000000a0000000020000000', 'hex'));
    }
  }

  private continueWrite(w: { cmd: FakeCommand; data: Buffer; received: number }): void {
    if (w.received < w.data.length) {
      // MaxBurstLength 262144 per R2T, one outstanding.
      this.sendR2T(w.cmd.itt, 0x1000 + w.received, w.received, Math.min(262144, w.data.length - w.received));
      return;
    }
    this.pendingWrite = undefined;
    const lba = Number(w.cmd.cdb.readBigUInt64BE(2));
    w.data.copy(this.target.disk, lba * BLOCK);
    this.sendResponse(w.cmd.itt, 0);
  }
}

export class FakeTarget {
  readonly options: FakeTargetOptions;
  readonly disk: Buffer;
  readonly received: RawPdu[] = [];
  readonly commands: FakeCommand[] = [];
  readonly connections: FakeConnection[] = [];
  readonly initiatorNames: string[] = [];
  readonly errors: Error[] = [];
  nextTsih = 1;
  /** Override per test; return 'handled' to take over a command. */
  onCommand: CommandHandler = () => 'default';
  private readonly server: Server;

  private constructor(options: FakeTargetOptions) {
    this.options = options;
    this.disk = Buffer.alloc((options.blocks ?? 4096) * BLOCK);
    this.server = createServer({ noDelay: true }, (s) => this.connections.push(new FakeConnection(s, this)));
  }

  static async start(options: FakeTargetOptions = {}): Promise<FakeTarget> {
    const t = new FakeTarget(options);
    await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
    return t;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get last(): FakeConnection {
    const c = this.connections[this.connections.length - 1];
    if (c === undefined) throw new Error('no connection yet');
    return c;
  }

  dropAll(): void {
    for (const c of this.connections) c.socket.destroy();
  }

  async stop(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Poll (in real time) until `cond` holds; fails loudly instead of hanging. */
export async function waitFor(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}
