// Decoders for the PDUs a target sends. Input is a RawPdu from the framer;
// output is a typed record. Field checks that need no session state happen
// here; the session checks tags and sequence numbers.
import { IscsiProtocolError } from './errors.ts';
import { FINAL_BIT, TargetOpcode, type RawPdu } from './pdu.ts';

interface SequenceFields {
  readonly statSN: number;
  readonly expCmdSN: number;
  readonly maxCmdSN: number;
}

export interface LoginResponse extends SequenceFields {
  readonly kind: 'login-response';
  readonly transit: boolean;
  readonly cont: boolean;
  readonly csg: number;
  readonly nsg: number;
  readonly versionMax: number;
  readonly versionActive: number;
  readonly isid: Buffer;
  readonly tsih: number;
  readonly itt: number;
  readonly statusClass: number;
  readonly statusDetail: number;
  readonly data: Buffer;
}

export interface ScsiResponse extends SequenceFields {
  readonly kind: 'scsi-response';
  readonly itt: number;
  readonly response: number;
  readonly status: number;
  readonly overflow: boolean;
  readonly underflow: boolean;
  readonly residual: number;
  readonly sense: Buffer;
}

export interface DataIn extends SequenceFields {
  readonly kind: 'data-in';
  readonly final: boolean;
  readonly hasStatus: boolean;
  readonly overflow: boolean;
  readonly underflow: boolean;
  readonly status: number;
  readonly itt: number;
  readonly ttt: number;
  readonly dataSN: number;
  readonly bufferOffset: number;
  readonly residual: number;
  readonly data: Buffer;
}

export interface R2T extends SequenceFields {
  readonly kind: 'r2t';
  readonly itt: number;
  readonly ttt: number;
  readonly r2tSN: number;
  readonly bufferOffset: number;
  readonly desiredLength: number;
}

export interface NopIn extends SequenceFields {
  readonly kind: 'nop-in';
  readonly itt: number;
  readonly ttt: number;
  readonly lun: Buffer;
  readonly data: Buffer;
}

export interface LogoutResponse extends SequenceFields {
  readonly kind: 'logout-response';
  readonly itt: number;
  readonly response: number;
  readonly time2Wait: number;
  readonly time2Retain: number;
}

export interface Reject extends SequenceFields {
  readonly kind: 'reject';
  readonly reason: number;
  /** ITT of the rejected PDU, from its BHS carried as data; undefined if absent. */
  readonly rejectedItt: number | undefined;
  readonly rejectedOpcode: number | undefined;
}

export interface AsyncMessage extends SequenceFields {
  readonly kind: 'async-message';
  readonly asyncEvent: number;
  readonly asyncVCode: number;
  readonly parameter1: number;
  readonly parameter2: number;
  readonly parameter3: number;
  readonly data: Buffer;
}

export type TargetPdu =
  LoginResponse | ScsiResponse | DataIn | R2T | NopIn | LogoutResponse | Reject | AsyncMessage;

export function decodeTargetPdu(raw: RawPdu, device: string): TargetPdu {
  const { bhs, data } = raw;
  const flags = bhs[1]!;
  switch (raw.opcode) {
    case TargetOpcode.LOGIN_RESPONSE: {
      const transit = (flags & 0x80) !== 0;
      const cont = (flags & 0x40) !== 0;
      if (transit && cont) throw new IscsiProtocolError(device, 'Login Response has both T and C bits set');
      return {
        kind: 'login-response',
        transit,
        cont,
        csg: (flags >>> 2) & 3,
        nsg: flags & 3,
        versionMax: bhs[2]!,
        versionActive: bhs[3]!,
        isid: bhs.subarray(8, 14),
        tsih: bhs.readUInt16BE(14),
        itt: bhs.readUInt32BE(16),
        statSN: bhs.readUInt32BE(24),
        expCmdSN: bhs.readUInt32BE(28),
        maxCmdSN: bhs.readUInt32BE(32),
        statusClass: bhs[36]!,
        statusDetail: bhs[37]!,
        data,
      };
    }
    case TargetOpcode.SCSI_RESPONSE: {
      if ((flags & FINAL_BIT) === 0) throw new IscsiProtocolError(device, 'SCSI Response without F bit');
      let sense: Buffer = data.subarray(0, 0);
      if (data.length > 0) {
        if (data.length < 2)
          throw new IscsiProtocolError(device, 'SCSI Response data shorter than SenseLength');
        const senseLength = data.readUInt16BE(0);
        if (senseLength > data.length - 2) {
          throw new IscsiProtocolError(
            device,
            `SCSI Response SenseLength ${senseLength} exceeds data segment (${data.length - 2} bytes)`,
          );
        }
        sense = data.subarray(2, 2 + senseLength);
      }
      return {
        kind: 'scsi-response',
        itt: bhs.readUInt32BE(16),
        response: bhs[2]!,
        status: bhs[3]!,
        overflow: (flags & 0x04) !== 0,
        underflow: (flags & 0x02) !== 0,
        statSN: bhs.readUInt32BE(24),
        expCmdSN: bhs.readUInt32BE(28),
        maxCmdSN: bhs.readUInt32BE(32),
        residual: bhs.readUInt32BE(44),
        sense,
      };
    }
    case TargetOpcode.DATA_IN: {
      const final = (flags & FINAL_BIT) !== 0;
      const hasStatus = (flags & 0x01) !== 0;
      if (hasStatus && !final) throw new IscsiProtocolError(device, 'Data-In has S bit without F bit');
      return {
        kind: 'data-in',
        final,
        hasStatus,
        overflow: (flags & 0x04) !== 0,
        underflow: (flags & 0x02) !== 0,
        status: bhs[3]!,
        itt: bhs.readUInt32BE(16),
        ttt: bhs.readUInt32BE(20),
        statSN: bhs.readUInt32BE(24),
        expCmdSN: bhs.readUInt32BE(28),
        maxCmdSN: bhs.readUInt32BE(32),
        dataSN: bhs.readUInt32BE(36),
        bufferOffset: bhs.readUInt32BE(40),
        residual: bhs.readUInt32BE(44),
        data,
      };
    }
    case TargetOpcode.R2T:
      return {
        kind: 'r2t',
        itt: bhs.readUInt32BE(16),
        ttt: bhs.readUInt32BE(20),
        statSN: bhs.readUInt32BE(24),
        expCmdSN: bhs.readUInt32BE(28),
        maxCmdSN: bhs.readUInt32BE(32),
        r2tSN: bhs.readUInt32BE(36),
        bufferOffset: bhs.readUInt32BE(40),
        desiredLength: bhs.readUInt32BE(44),
      };
    case TargetOpcode.NOP_IN:
      return {
        kind: 'nop-in',
        itt: bhs.readUInt32BE(16),
        ttt: bhs.readUInt32BE(20),
        lun: bhs.subarray(8, 16),
        statSN: bhs.readUInt32BE(24),
        expCmdSN: bhs.readUInt32BE(28),
        maxCmdSN: bhs.readUInt32BE(32),
        data,
      };
    case TargetOpcode.LOGOUT_RESPONSE:
      return {
        kind: 'logout-response',
        itt: bhs.readUInt32BE(16),
        response: bhs[2]!,
        statSN: bhs.readUInt32BE(24),
        expCmdSN: bhs.readUInt32BE(28),
        maxCmdSN: bhs.readUInt32BE(32),
        time2Wait: bhs.readUInt16BE(40),
        time2Retain: bhs.readUInt16BE(42),
      };
    case TargetOpcode.REJECT:
      return {
        kind: 'reject',
        reason: bhs[2]!,
        statSN: bhs.readUInt32BE(24),
        expCmdSN: bhs.readUInt32BE(28),
        maxCmdSN: bhs.readUInt32BE(32),
        rejectedOpcode: data.length >= 1 ? data[0]! & 0x3f : undefined,
        rejectedItt: data.length >= 20 ? data.readUInt32BE(16) : undefined,
      };
    case TargetOpcode.ASYNC_MESSAGE:
      return {
        kind: 'async-message',
        statSN: bhs.readUInt32BE(24),
        expCmdSN: bhs.readUInt32BE(28),
        maxCmdSN: bhs.readUInt32BE(32),
        asyncEvent: bhs[36]!,
        asyncVCode: bhs[37]!,
        parameter1: bhs.readUInt16BE(38),
        parameter2: bhs.readUInt16BE(40),
        parameter3: bhs.readUInt16BE(42),
        data,
      };
    default:
      throw new IscsiProtocolError(device, `unexpected opcode 0x${raw.opcode.toString(16)} from target`);
  }
}
