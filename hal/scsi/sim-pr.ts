// Persistent-reservation state of the sim target's one LUN (SPC-4 5.13):
// registrations per I_T nexus, the PRgeneration counter, the reservation and
// its access rules. Unit attentions go out through a callback so the target
// owns the per-nexus queues.
import { putU16, putU32, putU64 } from './field-reader.ts';
import type { PrOutParameters } from './cdb/pr-out.ts';
import type { PrType } from './cdb/pr-types.ts';
import { PrOutAction, PrOutFlag, PrType as T, isPrType } from './cdb/pr-types.ts';
import { Asc } from './asc.ts';
import { ScsiStatus } from './device.ts';
import { SenseKey } from './sense-data.ts';

export interface SimSense {
  readonly senseKey: number;
  readonly asc: number;
  readonly ascq: number;
  readonly information?: bigint;
}

export interface SimReply {
  readonly status: number;
  readonly sense?: SimSense;
  readonly data?: Uint8Array;
}

export type SimQuirks = 'spc4' | 'tgt';

interface AscPair {
  readonly asc: number;
  readonly ascq: number;
}

export const GOOD: SimReply = { status: ScsiStatus.GOOD };
export const CONFLICT: SimReply = { status: ScsiStatus.RESERVATION_CONFLICT };

export function checkCondition(senseKey: number, code: AscPair, information?: bigint): SimReply {
  const sense = {
    senseKey,
    asc: code.asc,
    ascq: code.ascq,
    ...(information === undefined ? {} : { information }),
  };
  return { status: ScsiStatus.CHECK_CONDITION, sense };
}

export function illegal(code: AscPair = Asc.INVALID_FIELD_IN_CDB): SimReply {
  return checkCondition(SenseKey.ILLEGAL_REQUEST, code);
}

function allRegistrants(type: PrType): boolean {
  return type === T.WRITE_EXCLUSIVE_ALL_REGISTRANTS || type === T.EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
}

export class SimPrState {
  generation = 0;
  readonly registrations = new Map<string, bigint>();
  reservation: { holder: string; type: PrType } | null = null;
  private readonly quirks: SimQuirks;
  private readonly unitAttention: (nexus: string, code: AscPair) => void;

  constructor(quirks: SimQuirks, unitAttention: (nexus: string, code: AscPair) => void) {
    this.quirks = quirks;
    this.unitAttention = unitAttention;
  }

  /** Does this nexus hold a registration (its key on the LUN)? */
  isRegistered(nexus: string): boolean {
    return this.registrations.has(nexus);
  }

  isHolder(nexus: string): boolean {
    const r = this.reservation;
    if (r === null) return false;
    return allRegistrants(r.type) ? this.registrations.has(nexus) : r.holder === nexus;
  }

  /** May this nexus read (write = false) or write the medium now? */
  accessAllowed(nexus: string, write: boolean): boolean {
    const r = this.reservation;
    if (r === null || this.isHolder(nexus)) return true;
    switch (r.type) {
      case T.WRITE_EXCLUSIVE:
        return !write;
      case T.EXCLUSIVE_ACCESS:
        return false;
      case T.WRITE_EXCLUSIVE_REGISTRANTS_ONLY:
      case T.WRITE_EXCLUSIVE_ALL_REGISTRANTS:
        return this.registrations.has(nexus) || !write;
      case T.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY:
      case T.EXCLUSIVE_ACCESS_ALL_REGISTRANTS:
        return this.registrations.has(nexus);
    }
  }

  readKeys(): Uint8Array {
    const keys = [...this.registrations.values()];
    const out = new Uint8Array(8 + 8 * keys.length);
    putU32(out, 0, this.generation);
    putU32(out, 4, 8 * keys.length);
    keys.forEach((k, i) => putU64(out, 8 + 8 * i, k));
    return out;
  }

  readReservation(): Uint8Array {
    const r = this.reservation;
    const out = new Uint8Array(r === null ? 8 : 24);
    putU32(out, 0, this.generation);
    if (r === null) return out;
    putU32(out, 4, 16);
    // All-registrants reservations report key 0 (SPC-4 6.15.3.3).
    putU64(out, 8, allRegistrants(r.type) ? 0n : (this.registrations.get(r.holder) ?? 0n));
    out[21] = r.type;
    return out;
  }

  reportCapabilities(): Uint8Array {
    const out = new Uint8Array(8);
    putU16(out, 0, 8);
    out[2] = 0x10; // CRH
    out[3] = 0x80; // TMV
    putU16(out, 4, 0xea01); // types 1, 3, 5, 6, 7, 8
    return out;
  }

  out(nexus: string, action: number, scope: number, type: number, p: PrOutParameters): SimReply {
    if (action === PrOutAction.PREEMPT_AND_ABORT && this.quirks === 'tgt') return illegal();
    const unsupported =
      PrOutFlag.SPEC_I_PT | PrOutFlag.ALL_TG_PT | (this.quirks === 'tgt' ? PrOutFlag.APTPL : 0);
    if ((p.flags & unsupported) !== 0) return illegal(Asc.INVALID_FIELD_IN_PARAMETER_LIST);
    const mine = this.registrations.get(nexus);
    switch (action) {
      case PrOutAction.REGISTER:
        if (mine === undefined ? p.key !== 0n : p.key !== mine) return CONFLICT;
        return this.register(nexus, mine, p.serviceActionKey);
      case PrOutAction.REGISTER_AND_IGNORE_EXISTING_KEY:
        return this.register(nexus, mine, p.serviceActionKey);
      case PrOutAction.RESERVE:
      case PrOutAction.RELEASE:
      case PrOutAction.CLEAR:
      case PrOutAction.PREEMPT:
      case PrOutAction.PREEMPT_AND_ABORT:
        if (mine === undefined || p.key !== mine) return CONFLICT;
        if (action === PrOutAction.CLEAR) return this.clear(nexus);
        if (scope !== 0 || !isPrType(type)) return illegal();
        if (action === PrOutAction.RESERVE) return this.reserve(nexus, type);
        if (action === PrOutAction.RELEASE) return this.release(nexus, type);
        return this.preempt(nexus, p.serviceActionKey, type);
      default:
        return illegal();
    }
  }

  private register(nexus: string, mine: bigint | undefined, newKey: bigint): SimReply {
    if (newKey === 0n) {
      if (mine === undefined) return GOOD;
      this.unregister(nexus);
    } else {
      this.registrations.set(nexus, newKey);
    }
    this.generation++;
    return GOOD;
  }

  private unregister(nexus: string): void {
    this.registrations.delete(nexus);
    const r = this.reservation;
    if (r === null) return;
    if (allRegistrants(r.type) ? this.registrations.size === 0 : r.holder === nexus) {
      this.reservation = null;
      if (r.type !== T.WRITE_EXCLUSIVE && r.type !== T.EXCLUSIVE_ACCESS)
        this.notifyOthers(nexus, Asc.RESERVATIONS_RELEASED);
    }
  }

  private reserve(nexus: string, type: PrType): SimReply {
    const r = this.reservation;
    if (r === null) {
      this.reservation = { holder: nexus, type };
      return GOOD;
    }
    return this.isHolder(nexus) && r.type === type ? GOOD : CONFLICT;
  }

  private release(nexus: string, type: PrType): SimReply {
    const r = this.reservation;
    if (r === null || !this.isHolder(nexus)) return GOOD;
    if (r.type !== type) return illegal(Asc.INVALID_RELEASE_OF_PERSISTENT_RESERVATION);
    this.reservation = null;
    if (type !== T.WRITE_EXCLUSIVE && type !== T.EXCLUSIVE_ACCESS) {
      // tgt measured: the RESERVATIONS RELEASED attention lands on the releasing nexus itself.
      if (this.quirks === 'tgt') this.unitAttention(nexus, Asc.RESERVATIONS_RELEASED);
      else this.notifyOthers(nexus, Asc.RESERVATIONS_RELEASED);
    }
    return GOOD;
  }

  private clear(nexus: string): SimReply {
    this.notifyOthers(nexus, Asc.RESERVATIONS_PREEMPTED);
    this.registrations.clear();
    this.reservation = null;
    this.generation++;
    return GOOD;
  }

  private preempt(nexus: string, victimKey: bigint, type: PrType): SimReply {
    const r = this.reservation;
    const victims = [...this.registrations].filter(
      ([n, k]) => n !== nexus && (victimKey === 0n || k === victimKey),
    );
    if (victimKey === 0n) {
      // Key 0 is only meaningful against an all-registrants reservation.
      if (r === null || !allRegistrants(r.type)) return illegal(Asc.INVALID_FIELD_IN_PARAMETER_LIST);
    } else if (victims.length === 0 && !(r !== null && this.registrations.get(r.holder) === victimKey)) {
      return CONFLICT;
    }
    const takesReservation =
      r !== null &&
      (allRegistrants(r.type) ? victimKey === 0n : this.registrations.get(r.holder) === victimKey);
    for (const [n] of victims) {
      this.registrations.delete(n);
      // tgt measured: the preempted nexus sees 2A/03 where SPC-4 says 2A/05.
      this.unitAttention(n, this.quirks === 'tgt' ? Asc.RESERVATIONS_PREEMPTED : Asc.REGISTRATIONS_PREEMPTED);
    }
    if (takesReservation) this.reservation = { holder: nexus, type };
    this.generation++;
    return GOOD;
  }

  private notifyOthers(nexus: string, code: AscPair): void {
    for (const n of this.registrations.keys()) if (n !== nexus) this.unitAttention(n, code);
  }
}
