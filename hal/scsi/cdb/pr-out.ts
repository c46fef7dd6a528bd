// PERSISTENT RESERVE OUT (SPC-4 6.16) with its 24-byte basic parameter list.
import { FieldReader, checkU64, checkUint, putU32, putU64 } from '../field-reader.ts';
import { ScsiArgumentError } from '../errors.ts';
import { Opcode } from './opcodes.ts';
import type { PrType } from './pr-types.ts';
import { LU_SCOPE, PR_OUT_PARAMETER_LENGTH, PrOutAction, isPrType } from './pr-types.ts';

export interface PrOutRequest {
  readonly action: PrOutAction;
  /** RESERVATION KEY: the key this I_T nexus is registered with (0 if none). */
  readonly key: bigint;
  /** SERVICE ACTION RESERVATION KEY: the new key (REGISTER) or the victim (PREEMPT). */
  readonly serviceActionKey?: bigint;
  /** Required by RESERVE, RELEASE, PREEMPT, PREEMPT AND ABORT. */
  readonly type?: PrType;
  /** Byte 20 flags (PrOutFlag). */
  readonly flags?: number;
}

export interface PrOutCommand {
  readonly cdb: Uint8Array;
  readonly parameters: Uint8Array;
}

const WHAT = 'PERSISTENT RESERVE OUT';

const NEEDS_TYPE: ReadonlySet<number> = new Set<number>([
  PrOutAction.RESERVE,
  PrOutAction.RELEASE,
  PrOutAction.PREEMPT,
  PrOutAction.PREEMPT_AND_ABORT,
]);

export function prOut(req: PrOutRequest): PrOutCommand {
  checkUint(WHAT, 'service action', req.action, 0x1f);
  const key = checkU64(WHAT, 'reservation key', req.key);
  const saKey = checkU64(WHAT, 'service action reservation key', req.serviceActionKey ?? 0n);
  const flags = checkUint(WHAT, 'flags', req.flags ?? 0, 0xff);
  let type = 0;
  if (NEEDS_TYPE.has(req.action)) {
    if (req.type === undefined || !isPrType(req.type)) {
      throw new ScsiArgumentError(
        WHAT,
        'type',
        `service action ${req.action} needs a reservation type, got ${String(req.type)}`,
      );
    }
    type = req.type;
  }
  const cdb = new Uint8Array(10);
  cdb[0] = Opcode.PERSISTENT_RESERVE_OUT;
  cdb[1] = req.action;
  cdb[2] = (LU_SCOPE << 4) | type;
  putU32(cdb, 5, PR_OUT_PARAMETER_LENGTH);
  const parameters = new Uint8Array(PR_OUT_PARAMETER_LENGTH);
  putU64(parameters, 0, key);
  putU64(parameters, 8, saKey);
  parameters[20] = flags;
  return { cdb, parameters };
}

export interface PrOutParameters {
  readonly key: bigint;
  readonly serviceActionKey: bigint;
  readonly flags: number;
}

/** Parse a basic PR OUT parameter list (what a target receives; the sim uses this). */
export function parsePrOutParameters(data: Uint8Array): PrOutParameters {
  const r = new FieldReader('PERSISTENT RESERVE OUT parameter list', data);
  if (data.length !== PR_OUT_PARAMETER_LENGTH) {
    r.fail('parameter list length', `${data.length}, expected ${PR_OUT_PARAMETER_LENGTH}`);
  }
  return {
    key: r.u64(0, 'reservation key'),
    serviceActionKey: r.u64(8, 'service action reservation key'),
    flags: r.u8(20, 'flags'),
  };
}
