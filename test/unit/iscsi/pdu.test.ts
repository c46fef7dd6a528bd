import { describe, expect, it } from 'vitest';
import { chapResponse, decodeChapBinary } from '../../../hal/scsi/iscsi/chap.ts';
import { decodeTargetPdu } from '../../../hal/scsi/iscsi/decode.ts';
import {
  LoginStage,
  encodeDataOut,
  encodeLoginRequest,
  encodeLogoutRequest,
  encodeNopOut,
  encodeScsiCommand,
} from '../../../hal/scsi/iscsi/encode.ts';
import { IscsiProtocolError } from '../../../hal/scsi/iscsi/errors.ts';
import { PduFramer, parseOnePdu } from '../../../hal/scsi/iscsi/framer.ts';
import { INITIATOR_OPCODES, TargetOpcode } from '../../../hal/scsi/iscsi/pdu.ts';
import { decodeText, encodeText } from '../../../hal/scsi/iscsi/text.ts';
import { targetPdu } from './fake-target.ts';

const INIT = { device: 't', maxDataSegmentLength: 262144, opcodes: INITIATOR_OPCODES };
const TGT = { device: 't', maxDataSegmentLength: 262144 };

describe('initiator PDU encoders', () => {
  it('Login Request carries stages, ISID, TSIH, CID, sequence numbers and padded text', () => {
    const text = encodeText([
      ['InitiatorName', 'iqn.2026-11.invalid.x:y'],
      ['AuthMethod', 'None'],
    ]);
    const wire = Buffer.concat(
      encodeLoginRequest({
        transit: true,
        csg: LoginStage.SECURITY,
        nsg: LoginStage.OPERATIONAL,
        isid: Buffer.from('80aabbcc0001', 'hex'),
        tsih: 0,
        itt: 0,
        cid: 0,
        cmdSN: 5,
        expStatSN: 9,
        text,
      }),
    );
    expect(wire.length % 4).toBe(0);
    const p = parseOnePdu(wire, INIT);
    expect(p.immediate).toBe(true);
    expect(p.opcode).toBe(0x03);
    expect(p.bhs[1]).toBe(0x81);
    expect(p.bhs.subarray(8, 14).toString('hex')).toBe('80aabbcc0001');
    expect(p.bhs.readUInt32BE(24)).toBe(5);
    expect(p.bhs.readUInt32BE(28)).toBe(9);
    expect(decodeText(p.data).get('AuthMethod')).toBe('None');
  });

  it('SCSI Command with immediate data, Data-Out, NOP-Out and Logout round-trip through the framer', () => {
    const cdb = Buffer.from('8a080000000000000010000000080000', 'hex');
    const imm = Buffer.alloc(4095, 7);
    const cmd = parseOnePdu(
      Buffer.concat(
        encodeScsiCommand({
          read: false,
          write: true,
          final: true,
          lun: 1,
          itt: 42,
          expectedDataTransferLength: 8192,
          cmdSN: 3,
          expStatSN: 4,
          cdb,
          immediateData: imm,
        }),
      ),
      INIT,
    );
    expect(cmd.bhs[1]).toBe(0x80 | 0x20 | 1);
    expect(cmd.bhs[9]).toBe(1);
    expect(cmd.bhs.readUInt32BE(16)).toBe(42);
    expect(cmd.bhs.readUInt32BE(20)).toBe(8192);
    expect(cmd.bhs.subarray(32, 48).equals(cdb)).toBe(true);
    expect(cmd.data.equals(imm)).toBe(true);

    const out = parseOnePdu(
      Buffer.concat(
        encodeDataOut({
          final: true,
          lun: 1,
          itt: 42,
          ttt: 99,
          expStatSN: 4,
          dataSN: 2,
          bufferOffset: 4096,
          data: Buffer.alloc(10, 1),
        }),
      ),
      INIT,
    );
    expect([
      out.opcode,
      out.bhs[1],
      out.bhs.readUInt32BE(20),
      out.bhs.readUInt32BE(36),
      out.bhs.readUInt32BE(40),
    ]).toEqual([5, 0x80, 99, 2, 4096]);
    expect(out.data.length).toBe(10);

    const nop = parseOnePdu(
      Buffer.concat(
        encodeNopOut({
          itt: 0xffffffff,
          ttt: 5,
          lunField: Buffer.from('0001000000000000', 'hex'),
          cmdSN: 1,
          expStatSN: 2,
        }),
      ),
      INIT,
    );
    expect([nop.opcode, nop.immediate, nop.bhs.readUInt32BE(20), nop.bhs[9]]).toEqual([0, true, 5, 1]);

    const lo = parseOnePdu(
      Buffer.concat(encodeLogoutRequest({ itt: 8, cid: 0, cmdSN: 1, expStatSN: 2 })),
      INIT,
    );
    expect([lo.opcode, lo.immediate, lo.bhs[1]]).toEqual([6, true, 0x80]);
  });
});

describe('target PDU decoders', () => {
  it('decodes Data-In with status, SCSI Response with sense, R2T, NOP-In, Logout, Reject, Async', () => {
    const din = decodeTargetPdu(
      parseOnePdu(
        targetPdu(
          TargetOpcode.DATA_IN,
          0x83,
          (b) => {
            b[3] = 0;
            b.writeUInt32BE(7, 16);
            b.writeUInt32BE(512, 40);
            b.writeUInt32BE(12, 44);
          },
          Buffer.alloc(3, 9),
        ),
        TGT,
      ),
      't',
    );
    expect(din).toMatchObject({
      kind: 'data-in',
      hasStatus: true,
      final: true,
      underflow: true,
      itt: 7,
      bufferOffset: 512,
      residual: 12,
    });
    const sense = Buffer.from('7000060000000000', 'hex');
    const rsp = decodeTargetPdu(
      parseOnePdu(
        targetPdu(
          TargetOpcode.SCSI_RESPONSE,
          0x80,
          (b) => {
            b[3] = 2;
            b.writeUInt32BE(7, 16);
          },
          Buffer.concat([Buffer.from([0, 8]), sense]),
        ),
        TGT,
      ),
      't',
    );
    expect(rsp).toMatchObject({ kind: 'scsi-response', status: 2 });
    expect(rsp.kind === 'scsi-response' && rsp.sense.equals(sense)).toBe(true);
    const r2t = decodeTargetPdu(
      parseOnePdu(
        targetPdu(TargetOpcode.R2T, 0x80, (b) => {
          b.writeUInt32BE(1, 20);
          b.writeUInt32BE(8192, 44);
        }),
        TGT,
      ),
      't',
    );
    expect(r2t).toMatchObject({ kind: 'r2t', ttt: 1, desiredLength: 8192 });
    expect(
      decodeTargetPdu(
        parseOnePdu(
          targetPdu(TargetOpcode.NOP_IN, 0x80, (b) => b.writeUInt32BE(3, 20)),
          TGT,
        ),
        't',
      ),
    ).toMatchObject({ kind: 'nop-in', ttt: 3 });
    expect(
      decodeTargetPdu(
        parseOnePdu(
          targetPdu(TargetOpcode.LOGOUT_RESPONSE, 0x80, (b) => b.writeUInt16BE(2, 40)),
          TGT,
        ),
        't',
      ),
    ).toMatchObject({ kind: 'logout-response', time2Wait: 2 });
    const rejected = Buffer.alloc(48);
    rejected[0] = 1;
    rejected.writeUInt32BE(77, 16);
    expect(
      decodeTargetPdu(
        parseOnePdu(
          targetPdu(TargetOpcode.REJECT, 0x80, (b) => (b[2] = 9), rejected),
          TGT,
        ),
        't',
      ),
    ).toMatchObject({ kind: 'reject', reason: 9, rejectedItt: 77, rejectedOpcode: 1 });
    expect(
      decodeTargetPdu(
        parseOnePdu(
          targetPdu(TargetOpcode.ASYNC_MESSAGE, 0, (b) => (b[36] = 1)),
          TGT,
        ),
        't',
      ),
    ).toMatchObject({ kind: 'async-message', asyncEvent: 1 });
  });

  it('rejects malformed PDUs with IscsiProtocolError naming the problem', () => {
    const bad = (buf: Buffer, re: RegExp) => {
      let err: unknown;
      try {
        decodeTargetPdu(parseOnePdu(buf, TGT), 't');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(IscsiProtocolError);
      expect((err as Error).message).toMatch(re);
    };
    bad(
      targetPdu(0x22, 0x80, () => {}),
      /opcode 0x22/,
    );
    bad(
      targetPdu(TargetOpcode.DATA_IN, 0x01, () => {}),
      /S bit without F/,
    );
    bad(
      targetPdu(TargetOpcode.SCSI_RESPONSE, 0x80, () => {}, Buffer.from([0, 50, 1, 2])),
      /SenseLength 50/,
    );
    bad(
      targetPdu(TargetOpcode.LOGIN_RESPONSE, 0xc0, () => {}),
      /both T and C/,
    );
    const huge = targetPdu(TargetOpcode.DATA_IN, 0, () => {});
    huge[5] = 0x7f;
    bad(huge, /DataSegmentLength 8323072 exceeds/);
    bad(targetPdu(TargetOpcode.NOP_IN, 0x80, () => {}, Buffer.alloc(8)).subarray(0, 50), /truncated/);
  });
});

describe('PduFramer', () => {
  it('yields the same PDUs whichever offset the stream is split at', () => {
    const stream = Buffer.concat([
      targetPdu(TargetOpcode.NOP_IN, 0x80, (b) => b.writeUInt32BE(1, 20), Buffer.from('abcde')),
      targetPdu(TargetOpcode.DATA_IN, 0x81, (b) => b.writeUInt32BE(2, 16), Buffer.alloc(1001, 3)),
      targetPdu(TargetOpcode.R2T, 0x80, (b) => b.writeUInt32BE(3, 16)),
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const f = new PduFramer(TGT);
      const pdus = [...f.push(stream.subarray(0, cut)), ...f.push(stream.subarray(cut))];
      expect(pdus.map((p) => [p.opcode, p.data.length])).toEqual([
        [0x20, 5],
        [0x25, 1001],
        [0x31, 0],
      ]);
      expect(pdus[0]!.data.toString()).toBe('abcde');
      expect(f.buffered).toBe(0);
      f.end();
    }
  });

  it('transient chunks (a reused receive buffer): nothing returned or kept aliases them', () => {
    const stream = Buffer.concat([
      targetPdu(TargetOpcode.NOP_IN, 0x80, (b) => b.writeUInt32BE(1, 20), Buffer.from('abcde')),
      targetPdu(TargetOpcode.DATA_IN, 0x81, (b) => b.writeUInt32BE(2, 16), Buffer.alloc(70_000, 3)),
      targetPdu(TargetOpcode.R2T, 0x80, (b) => b.writeUInt32BE(3, 16)),
    ]);
    for (const size of [1, 7, 47, 48, 100, 4096, 65536, stream.length]) {
      const f = new PduFramer(TGT);
      const rx = Buffer.alloc(size);
      const pdus = [];
      for (let at = 0; at < stream.length; at += size) {
        const n = stream.copy(rx, 0, at, at + size);
        pdus.push(...f.push(rx.subarray(0, n), true));
        rx.fill(0xee); // the next read overwrites the buffer
      }
      expect(pdus.map((p) => [p.opcode, p.data.length])).toEqual([
        [0x20, 5],
        [0x25, 70_000],
        [0x31, 0],
      ]);
      expect(pdus[0]!.data.toString()).toBe('abcde');
      expect(pdus[1]!.bhs.readUInt32BE(16)).toBe(2);
      expect(pdus[1]!.data.every((x) => x === 3)).toBe(true);
      expect(pdus[2]!.bhs.readUInt32BE(16)).toBe(3);
      expect(f.buffered).toBe(0);
      f.end();
    }
  });

  it('counts a partial header and a partly assembled PDU as buffered, and checks the header once whole', () => {
    const pdu = targetPdu(TargetOpcode.DATA_IN, 0x81, () => {}, Buffer.alloc(1000, 1));
    const f = new PduFramer(TGT);
    expect(f.push(pdu.subarray(0, 30), true)).toEqual([]);
    expect(f.buffered).toBe(30);
    expect(f.push(pdu.subarray(30, 500), true)).toEqual([]);
    expect(f.buffered).toBe(500);
    expect(() => f.end()).toThrow(/stream ended inside a PDU \(500 bytes/);
    const bad = Buffer.from(pdu);
    bad[0] = 0x3e; // not a target opcode
    const g = new PduFramer(TGT);
    g.push(bad.subarray(0, 40), true);
    expect(() => g.push(bad.subarray(40, 60), true)).toThrow(IscsiProtocolError);
  });

  it('reports a stream that ends inside a PDU', () => {
    const f = new PduFramer(TGT);
    f.push(targetPdu(TargetOpcode.NOP_IN, 0x80, () => {}).subarray(0, 20));
    expect(() => f.end()).toThrow(/stream ended inside a PDU \(20 bytes/);
  });
});

describe('text keys and CHAP', () => {
  it('round-trips key=value pairs and rejects malformed text', () => {
    const m = decodeText(
      encodeText([
        ['A', '1'],
        ['B.c', 'x=y'],
      ]),
    );
    expect([...m]).toEqual([
      ['A', '1'],
      ['B.c', 'x=y'],
    ]);
    expect(() => decodeText(Buffer.from('A=1'))).toThrow(/not NUL-terminated/);
    expect(() => decodeText(Buffer.from('A=1\0A=2\0'))).toThrow(/duplicate text key A/);
    expect(() => decodeText(Buffer.from('novalue\0'))).toThrow(/without key=value/);
    expect(() => decodeText(Buffer.from('bad key=1\0'))).toThrow(/invalid text key/);
    expect(() => encodeText([['K', 'a\0b']])).toThrow(/contains NUL/);
  });

  it('computes CHAP_R = MD5(id || secret || challenge) and decodes hex and base64 values', () => {
    // Expected value computed independently: md5(0x01 || "secret" || 0x00..0f).
    const challenge = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    expect(chapResponse(1, 'secret', challenge).toString('hex')).toBe('740e86463bda3a4d7017d6e0fba0699d');
    expect(decodeChapBinary('C', '0x0a0B').equals(Buffer.from([10, 11]))).toBe(true);
    expect(decodeChapBinary('C', '0bAQI=').equals(Buffer.from([1, 2]))).toBe(true);
    expect(() => decodeChapBinary('CHAP_C', 'zz')).toThrow(/CHAP_C is not/);
  });
});
