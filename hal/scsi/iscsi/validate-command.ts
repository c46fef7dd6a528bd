// A ScsiCommand comes from firmware code, but a bad one must fail with a typed
// error here rather than put a malformed PDU on the wire.
import { HalError } from '../../errors.ts';
import type { ScsiCommand } from '../device.ts';

/** Bigger reads than this are a bug in the caller (and an allocation we refuse). */
const MAX_TRANSFER = 16 * 1024 * 1024;

function invalid(device: string, what: string): never {
  throw new HalError('invalid-argument', device, `invalid SCSI command: ${what}`);
}

export function validateCommand(cmd: ScsiCommand, device: string): void {
  if (!(cmd.cdb instanceof Uint8Array) || cmd.cdb.length < 6 || cmd.cdb.length > 16) {
    invalid(device, 'cdb must be 6 to 16 bytes');
  }
  if (!Number.isFinite(cmd.timeoutMs) || cmd.timeoutMs <= 0) invalid(device, 'timeoutMs must be > 0');
  switch (cmd.direction) {
    case 'none':
      break;
    case 'in': {
      const n = cmd.dataInLength;
      if (n === undefined || !Number.isInteger(n) || n < 0 || n > MAX_TRANSFER) {
        invalid(device, `dataInLength must be an integer in [0, ${MAX_TRANSFER}]`);
      }
      break;
    }
    case 'out':
      if (!(cmd.dataOut instanceof Uint8Array) || cmd.dataOut.length > MAX_TRANSFER) {
        invalid(device, `dataOut must be a Uint8Array of at most ${MAX_TRANSFER} bytes`);
      }
      break;
    default:
      invalid(device, `direction ${JSON.stringify(cmd.direction)}`);
  }
}
