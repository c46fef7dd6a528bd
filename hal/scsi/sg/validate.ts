// Check a ScsiCommand before it goes anywhere near the kernel: a wrong length
// or direction in SG_IO can read or write memory we did not mean to expose.
import type { ScsiCommand } from '../device.ts';
import { SgDxfer, SgLimits } from './constants.ts';
import { SgError } from './errors.ts';

/** A command reduced to what the SG_IO header needs. */
export interface SgRequest {
  readonly cdb: Uint8Array;
  readonly direction: SgDxfer;
  /** Bytes to send (TO_DEV) – empty otherwise. */
  readonly dataOut: Uint8Array;
  /** dxfer_len: bytes to send or to receive. */
  readonly dxferLen: number;
  readonly timeoutMs: number;
}

function bad(device: string, what: string): SgError {
  return new SgError('invalid-argument', device, what);
}

function checkTimeout(device: string, timeoutMs: unknown): number {
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isInteger(timeoutMs) ||
    timeoutMs < SgLimits.MIN_TIMEOUT_MS ||
    timeoutMs > SgLimits.MAX_TIMEOUT_MS
  ) {
    throw bad(
      device,
      `timeoutMs must be an integer in ${SgLimits.MIN_TIMEOUT_MS}..${SgLimits.MAX_TIMEOUT_MS}, got ${String(timeoutMs)}`,
    );
  }
  return timeoutMs;
}

function checkLength(device: string, name: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > SgLimits.MAX_TRANSFER) {
    throw bad(device, `${name} must be an integer in 1..${SgLimits.MAX_TRANSFER}, got ${String(n)}`);
  }
  return n;
}

export function validateCommand(device: string, cmd: ScsiCommand): SgRequest {
  const cdb: unknown = cmd.cdb;
  if (!(cdb instanceof Uint8Array)) throw bad(device, 'cdb must be a Uint8Array');
  if (cdb.length < SgLimits.MIN_CDB || cdb.length > SgLimits.MAX_CDB) {
    throw bad(device, `cdb is ${cdb.length} bytes, must be ${SgLimits.MIN_CDB}..${SgLimits.MAX_CDB}`);
  }
  const timeoutMs = checkTimeout(device, cmd.timeoutMs);
  const dataOut: unknown = cmd.dataOut;
  const dataIn: unknown = cmd.dataInLength;
  // Copy the CDB so a caller mutating its array mid-flight cannot change what is sent.
  const base = { cdb: Uint8Array.from(cdb), timeoutMs };
  switch (cmd.direction) {
    case 'none':
      if (dataOut !== undefined && (!(dataOut instanceof Uint8Array) || dataOut.length > 0)) {
        throw bad(device, "direction 'none' takes no dataOut");
      }
      if (dataIn !== undefined && dataIn !== 0) throw bad(device, "direction 'none' takes no dataInLength");
      return { ...base, direction: SgDxfer.NONE, dataOut: new Uint8Array(0), dxferLen: 0 };
    case 'in':
      if (dataOut !== undefined) throw bad(device, "direction 'in' takes no dataOut");
      return {
        ...base,
        direction: SgDxfer.FROM_DEV,
        dataOut: new Uint8Array(0),
        dxferLen: checkLength(device, 'dataInLength', dataIn),
      };
    case 'out': {
      if (dataIn !== undefined && dataIn !== 0) throw bad(device, "direction 'out' takes no dataInLength");
      if (!(dataOut instanceof Uint8Array))
        throw bad(device, "direction 'out' needs dataOut as a Uint8Array");
      const dxferLen = checkLength(device, 'dataOut.length', dataOut.length);
      return { ...base, direction: SgDxfer.TO_DEV, dataOut: Uint8Array.from(dataOut), dxferLen };
    }
    default: {
      const never: never = cmd.direction;
      throw bad(device, `direction must be 'none', 'in' or 'out', got ${JSON.stringify(never)}`);
    }
  }
}
