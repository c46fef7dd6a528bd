// Turn what the kernel reported for one SG_IO into the ScsiDevice contract:
// a SAM status is a result (even RESERVATION CONFLICT), while a host/driver
// failure or an errno is a typed transport error the failover logic acts on.
import { constants } from 'node:os';
import type { HalErrorCode } from '../../errors.ts';
import { ScsiStatus } from '../device.ts';
import type { ScsiResult } from '../device.ts';
import { DidStatus, DriverStatus, SgDxfer } from './constants.ts';
import { SgError } from './errors.ts';
import type { SgIoResultFields } from './header.ts';
import type { SgRequest } from './validate.ts';

const DID_NAMES = new Map<number, string>(Object.entries(DidStatus).map(([k, v]) => [v, `DID_${k}`]));

export function hostStatusName(hostStatus: number): string {
  return DID_NAMES.get(hostStatus) ?? `DID_0x${hostStatus.toString(16)}`;
}

/** What a non-OK host_status means for the caller: is the path gone, busy, or slow? */
function hostStatusCode(hostStatus: number): HalErrorCode {
  switch (hostStatus) {
    case DidStatus.NO_CONNECT:
    case DidStatus.BAD_TARGET:
    case DidStatus.TRANSPORT_DISRUPTED:
    case DidStatus.TRANSPORT_FAILFAST:
      return 'disconnected';
    case DidStatus.BUS_BUSY:
    case DidStatus.RESET:
    case DidStatus.SOFT_ERROR:
    case DidStatus.IMM_RETRY:
    case DidStatus.REQUEUE:
      return 'busy';
    case DidStatus.TIME_OUT:
      return 'timeout';
    default:
      return 'io';
  }
}

function driverStatusCode(driverStatus: number): HalErrorCode | undefined {
  const d = driverStatus & DriverStatus.MASK;
  if (d === DriverStatus.OK || d === DriverStatus.SENSE) return undefined; // sense is data, not failure
  if (d === DriverStatus.TIMEOUT) return 'timeout';
  if (d === DriverStatus.BUSY) return 'busy';
  return 'io';
}

/**
 * @param sense the whole sense buffer handed to the kernel
 * @param data the whole data-in buffer (empty for other directions)
 */
export function interpretResult(
  device: string,
  req: SgRequest,
  f: SgIoResultFields,
  sense: Uint8Array,
  data: Uint8Array,
): ScsiResult {
  const detail = { hostStatus: f.hostStatus, driverStatus: f.driverStatus };
  // The kernel is trusted more than a network peer, but a bogus resid or
  // sense length would make us slice garbage, so check them anyway.
  if (!Number.isInteger(f.resid) || f.resid < 0 || f.resid > req.dxferLen) {
    throw new SgError('protocol', device, `resid ${f.resid} outside 0..${req.dxferLen}`, detail);
  }
  if (f.sbLenWr > sense.length) {
    throw new SgError(
      'protocol',
      device,
      `sb_len_wr ${f.sbLenWr} exceeds the ${sense.length}-byte sense buffer`,
      detail,
    );
  }
  let status = f.status !== 0 ? f.status : f.maskedStatus << 1; // masked_status: pre-2.6 kernels
  if (f.hostStatus === DidStatus.NEXUS_FAILURE) {
    status = ScsiStatus.RESERVATION_CONFLICT; // older kernels report a conflict this way
  } else if (f.hostStatus !== DidStatus.OK) {
    const name = hostStatusName(f.hostStatus);
    throw new SgError(hostStatusCode(f.hostStatus), device, `host_status ${name}`, detail);
  } else {
    const code = driverStatusCode(f.driverStatus);
    if (code !== undefined) {
      throw new SgError(code, device, `driver_status 0x${f.driverStatus.toString(16)}`, detail);
    }
  }
  const transferred = req.dxferLen - f.resid;
  return {
    status,
    // The contract: sense is empty unless the status is CHECK CONDITION.
    sense: status === ScsiStatus.CHECK_CONDITION ? sense.slice(0, f.sbLenWr) : new Uint8Array(0),
    data: req.direction === SgDxfer.FROM_DEV ? data.slice(0, transferred) : new Uint8Array(0),
    residual: f.resid,
  };
}

const E = constants.errno;

function errnoCode(errno: number): HalErrorCode {
  switch (errno) {
    case E.ENOTTY:
      return 'not-supported'; // not an sg device
    case E.EINVAL:
    case E.EFAULT:
    case E.EMSGSIZE:
    case E.EOVERFLOW:
      return 'invalid-argument';
    case E.ENODEV:
    case E.ENXIO:
    case E.ENOENT:
      return 'disconnected'; // device removed or never there
    case E.EBUSY:
    case E.EAGAIN:
    case E.EINTR:
    case E.ENOMEM:
      return 'busy';
    case E.EBADF:
      return 'closed';
    default:
      return 'io';
  }
}

function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(E)) if (value === errno) return name;
  return `errno ${errno}`;
}

export function errnoError(device: string, op: string, errno: number): SgError {
  return new SgError(errnoCode(errno), device, `${op} failed: ${errnoName(errno)}`, { errno });
}
