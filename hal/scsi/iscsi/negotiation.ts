// RFC 7143 key negotiation (§6.2, keys in §13), one function for the login
// phase and for Text Requests: every key the target sends is either an
// answer to one of ours, a declaration, or a proposal we must answer
// (accept, reply with our value, Reject, Irrelevant or NotUnderstood).
import { IscsiProtocolError } from './errors.ts';
import type { TextPairs } from './text.ts';

export type SessionType = 'Normal' | 'Discovery';
/** Where a text exchange happens: login stages, or Text Requests in full feature phase. */
export type NegotiationStage = 'security' | 'operational' | 'full-feature';

/** How a key's value is decided (§6.2.1 lists, §6.2.2 numbers and booleans, §6.1 declarations). */
export type KeyType =
  | { readonly kind: 'number'; readonly min: number; readonly max: number; readonly result: 'min' | 'max' }
  | { readonly kind: 'boolean'; readonly result: 'and' | 'or' }
  /** Our values in order of preference. */
  | { readonly kind: 'list' }
  /** Each side states its own value; nothing is answered. */
  | { readonly kind: 'declarative'; readonly min?: number; readonly max?: number }
  /** Only answered with Reject (marker intervals: we never use markers). */
  | { readonly kind: 'reject' }
  /** CHAP keys: exchanged by the authentication step (chap.ts), not negotiated here. */
  | { readonly kind: 'auth' };

export interface KeySpec {
  readonly type: KeyType;
  /** What we offer or answer with; for a list, comma-separated in preference order. */
  readonly ours?: string;
  /** RFC 7143 default, the result when the key is not negotiated (or rejected). */
  readonly default?: string;
  /** The target may send it (as proposal or declaration); false: initiator-only key. */
  readonly fromTarget: boolean;
  /** Login only (§13 "Use: LO/IO"); in a Text Request exchange it is answered Reject. */
  readonly loginOnly: boolean;
  /** Security stage only (AuthMethod, CHAP_*). */
  readonly securityOnly?: boolean;
  /** "Irrelevant when: SessionType=Discovery". */
  readonly normalOnly?: boolean;
}

const BYTES = { min: 512, max: 0xffffff } as const;
const num = (min: number, max: number, result: 'min' | 'max'): KeyType => ({
  kind: 'number',
  min,
  max,
  result,
});
const and: KeyType = { kind: 'boolean', result: 'and' };
const or: KeyType = { kind: 'boolean', result: 'or' };
const list: KeyType = { kind: 'list' };
const declared: KeyType = { kind: 'declarative' };
const auth: KeyType = { kind: 'auth' };

/** Our MaxRecvDataSegmentLength; it also bounds the framer. */
export const OUR_MAX_RECV_DATA_SEGMENT_LENGTH = 262144;

/** The keys we know (RFC 7143 §13), with what we want from each. */
export const KEYS: Readonly<Record<string, KeySpec>> = {
  AuthMethod: { type: list, ours: 'None', fromTarget: true, loginOnly: true, securityOnly: true },
  CHAP_A: { type: auth, fromTarget: true, loginOnly: true, securityOnly: true },
  CHAP_I: { type: auth, fromTarget: true, loginOnly: true, securityOnly: true },
  CHAP_C: { type: auth, fromTarget: true, loginOnly: true, securityOnly: true },
  CHAP_N: { type: auth, fromTarget: true, loginOnly: true, securityOnly: true },
  CHAP_R: { type: auth, fromTarget: true, loginOnly: true, securityOnly: true },
  HeaderDigest: { type: list, ours: 'None', default: 'None', fromTarget: true, loginOnly: true },
  DataDigest: { type: list, ours: 'None', default: 'None', fromTarget: true, loginOnly: true },
  MaxConnections: {
    type: num(1, 65535, 'min'),
    ours: '1',
    default: '1',
    fromTarget: true,
    loginOnly: true,
    normalOnly: true,
  },
  SendTargets: { type: declared, fromTarget: false, loginOnly: false },
  TargetName: { type: declared, fromTarget: true, loginOnly: true },
  InitiatorName: { type: declared, fromTarget: false, loginOnly: true },
  TargetAlias: { type: declared, fromTarget: true, loginOnly: false },
  InitiatorAlias: { type: declared, fromTarget: false, loginOnly: false },
  TargetAddress: { type: declared, fromTarget: true, loginOnly: false },
  TargetPortalGroupTag: {
    type: { kind: 'declarative', min: 0, max: 65535 },
    fromTarget: true,
    loginOnly: true,
  },
  InitialR2T: { type: or, ours: 'Yes', default: 'Yes', fromTarget: true, loginOnly: true, normalOnly: true },
  ImmediateData: {
    type: and,
    ours: 'Yes',
    default: 'Yes',
    fromTarget: true,
    loginOnly: true,
    normalOnly: true,
  },
  MaxRecvDataSegmentLength: {
    type: { kind: 'declarative', ...BYTES },
    ours: String(OUR_MAX_RECV_DATA_SEGMENT_LENGTH),
    default: '8192',
    fromTarget: true,
    loginOnly: false,
  },
  MaxBurstLength: {
    type: num(BYTES.min, BYTES.max, 'min'),
    ours: '262144',
    default: '262144',
    fromTarget: true,
    loginOnly: true,
    normalOnly: true,
  },
  FirstBurstLength: {
    type: num(BYTES.min, BYTES.max, 'min'),
    ours: '65536',
    default: '65536',
    fromTarget: true,
    loginOnly: true,
    normalOnly: true,
  },
  // We do no session or connection recovery (ERL 0, every reconnect is a new
  // session), so we wait no longer than the default and retain nothing.
  DefaultTime2Wait: { type: num(0, 3600, 'max'), ours: '2', default: '2', fromTarget: true, loginOnly: true },
  DefaultTime2Retain: {
    type: num(0, 3600, 'min'),
    ours: '0',
    default: '20',
    fromTarget: true,
    loginOnly: true,
  },
  MaxOutstandingR2T: {
    type: num(1, 65535, 'min'),
    ours: '1',
    default: '1',
    fromTarget: true,
    loginOnly: true,
    normalOnly: true,
  },
  DataPDUInOrder: {
    type: or,
    ours: 'Yes',
    default: 'Yes',
    fromTarget: true,
    loginOnly: true,
    normalOnly: true,
  },
  DataSequenceInOrder: {
    type: or,
    ours: 'Yes',
    default: 'Yes',
    fromTarget: true,
    loginOnly: true,
    normalOnly: true,
  },
  ErrorRecoveryLevel: { type: num(0, 2, 'min'), ours: '0', default: '0', fromTarget: true, loginOnly: true },
  SessionType: { type: declared, fromTarget: false, loginOnly: true },
  TaskReporting: { type: list, ours: 'RFC3720', default: 'RFC3720', fromTarget: true, loginOnly: true },
  // Markers (RFC 3720, obsolete in RFC 7143 §13): never used.
  IFMarker: { type: and, ours: 'No', default: 'No', fromTarget: true, loginOnly: true },
  OFMarker: { type: and, ours: 'No', default: 'No', fromTarget: true, loginOnly: true },
  IFMarkInt: { type: { kind: 'reject' }, fromTarget: true, loginOnly: true },
  OFMarkInt: { type: { kind: 'reject' }, fromTarget: true, loginOnly: true },
};

const REJECT = 'Reject';
const IRRELEVANT = 'Irrelevant';
const NOT_UNDERSTOOD = 'NotUnderstood';
/** §6.2: these are answers only; proposing one is a protocol error. */
const RESERVED: ReadonlySet<string> = new Set([REJECT, IRRELEVANT, NOT_UNDERSTOOD]);

/** A number per §6.1 (decimal or 0x hex), or undefined. */
function parseNumber(value: string): number | undefined {
  const n = /^0x[0-9a-f]{1,16}$/i.test(value)
    ? parseInt(value.slice(2), 16)
    : /^\d{1,16}$/.test(value)
      ? Number(value)
      : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

function inRange(t: { min?: number; max?: number }, n: number | undefined): n is number {
  return n !== undefined && n >= (t.min ?? 0) && n <= (t.max ?? Number.MAX_SAFE_INTEGER);
}

/** Does the answer to a boolean we offered need to be sent (§6.2.2: AND with No, OR with Yes do not)? */
function booleanAnswerRequired(result: 'and' | 'or', offered: string): boolean {
  return result === 'and' ? offered === 'Yes' : offered === 'No';
}

export interface NegotiationOptions {
  readonly sessionType: SessionType;
  readonly device: string;
  /** Our values where they differ from KEYS (e.g. AuthMethod=CHAP). */
  readonly ours?: Readonly<Record<string, string>>;
}

/**
 * One negotiation sequence: the login (all its stages) or one Text Request
 * exchange. Feed every Login/Text Response's keys to receive(); send what it
 * returns in the next request.
 */
export class Negotiation {
  private readonly opts: NegotiationOptions;
  /** Our proposals still waiting for an answer that is required. */
  private readonly awaiting = new Map<string, string>();
  /** Our proposals whose answer is optional (the result is already known). */
  private readonly optional = new Map<string, string>();
  /** Every key the target has sent in this sequence (§6.2: at most once). */
  private readonly seen = new Set<string>();
  private readonly values = new Map<string, string>();
  private readonly declared = new Map<string, string>();

  constructor(opts: NegotiationOptions) {
    this.opts = opts;
  }

  /** Our value for a key (overrides first, then the table). */
  ours(key: string): string | undefined {
    return this.opts.ours?.[key] ?? KEYS[key]?.ours;
  }

  /** Propose (or declare) these keys with our values; returns the pairs to send. */
  offer(keys: readonly string[]): TextPairs {
    const out: [string, string][] = [];
    for (const key of keys) {
      const spec = KEYS[key];
      const value = this.ours(key);
      if (spec === undefined || value === undefined) throw new Error(`no value of ours for ${key}`);
      out.push([key, value]);
      if (spec.type.kind === 'declarative') continue;
      if (spec.type.kind === 'boolean' && !booleanAnswerRequired(spec.type.result, value)) {
        this.optional.set(key, value);
        this.values.set(key, value);
      } else {
        this.awaiting.set(key, value);
      }
    }
    return out;
  }

  /** Keys we proposed that still need the target's answer. */
  get unanswered(): readonly string[] {
    return [...this.awaiting.keys()];
  }

  /** The negotiated value of a key, else the target's declaration, else the RFC default. */
  result(key: string): string | undefined {
    return this.values.get(key) ?? this.declared.get(key) ?? KEYS[key]?.default;
  }

  /** What the target declared (MaxRecvDataSegmentLength, TargetPortalGroupTag, TargetAlias, ...). */
  declaration(key: string): string | undefined {
    return this.declared.get(key);
  }

  /**
   * Take the keys of one response. Returns the answers we owe (to send in the
   * next request). `last`: this response ends the sequence (Login Response
   * with T=1 into full feature phase, or a final Text Response), so a
   * proposal that needs an answer is a protocol error; so is one of our
   * proposals still unanswered.
   */
  receive(stage: NegotiationStage, pairs: ReadonlyMap<string, string>, last: boolean): TextPairs {
    const answers: [string, string][] = [];
    const mustAnswer: string[] = [];
    for (const [key, value] of pairs) {
      if (this.seen.has(key)) this.fail(`target sent ${key} twice in one negotiation`);
      this.seen.add(key);
      const spec = KEYS[key];
      if (spec === undefined) {
        // §6.2: a key the acceptor does not understand is answered NotUnderstood.
        answers.push([key, NOT_UNDERSTOOD]);
        mustAnswer.push(key);
        continue;
      }
      if (!spec.fromTarget) this.fail(`target sent ${key}, which only an initiator may send`);
      if (spec.securityOnly === true && stage !== 'security')
        this.fail(`target sent ${key} outside the security stage`);
      const offered = this.awaiting.get(key) ?? this.optional.get(key);
      if (offered !== undefined) {
        this.takeAnswer(key, spec, offered, value);
        continue;
      }
      if (RESERVED.has(value)) this.fail(`target proposed ${key}=${value}`);
      if (spec.type.kind === 'auth') continue; // the authentication step reads these
      if (spec.type.kind === 'declarative') {
        if (!inRange(spec.type, spec.type.min === undefined ? 0 : parseNumber(value)))
          this.fail(`target declared ${key}=${value}, not a number in range`);
        this.declared.set(key, value);
        continue;
      }
      const answer = this.answer(stage, key, spec, value);
      answers.push([key, answer.value]);
      if (answer.required) mustAnswer.push(key);
    }
    if (last) {
      if (mustAnswer.length > 0)
        this.fail(`target ended the negotiation while proposing ${mustAnswer.join(', ')}`);
      if (this.awaiting.size > 0)
        this.fail(`target ended the negotiation without answering ${this.unanswered.join(', ')}`);
      return []; // no request follows to carry optional answers
    }
    return answers;
  }

  /** Our answer to a target proposal, and whether §6.2 requires it. */
  private answer(
    stage: NegotiationStage,
    key: string,
    spec: KeySpec,
    value: string,
  ): { value: string; required: boolean } {
    const reject = { value: REJECT, required: true };
    if (stage === 'full-feature' && spec.loginOnly) return reject;
    if (spec.normalOnly === true && this.opts.sessionType === 'Discovery')
      return { value: IRRELEVANT, required: true };
    const ours = this.ours(key);
    const t = spec.type;
    switch (t.kind) {
      case 'number': {
        const theirs = parseNumber(value);
        if (!inRange(t, theirs) || ours === undefined) return reject;
        const mine = Number(ours);
        const result = String(t.result === 'min' ? Math.min(theirs, mine) : Math.max(theirs, mine));
        this.values.set(key, result);
        return { value: result, required: true };
      }
      case 'boolean': {
        if ((value !== 'Yes' && value !== 'No') || ours === undefined) return reject;
        const yes =
          t.result === 'and' ? value === 'Yes' && ours === 'Yes' : value === 'Yes' || ours === 'Yes';
        const result = yes ? 'Yes' : 'No';
        this.values.set(key, result);
        // We answer even where §6.2.2 makes the answer optional; the required flag says which.
        return { value: result, required: booleanAnswerRequired(t.result, value) };
      }
      case 'list': {
        // §6.2.1: the first value in the proposer's list that we support.
        const supported = (ours ?? '').split(',');
        const pick = value.split(',').find((v) => supported.includes(v));
        if (pick === undefined) return reject;
        this.values.set(key, pick);
        return { value: pick, required: true };
      }
      case 'reject':
      case 'auth':
      case 'declarative':
        return reject;
    }
  }

  /** The target's answer to one of our proposals: check it is admissible (§6.2.1, §6.2.2). */
  private takeAnswer(key: string, spec: KeySpec, offered: string, value: string): void {
    this.awaiting.delete(key);
    this.optional.delete(key);
    if (value === NOT_UNDERSTOOD) this.fail(`target does not understand ${key}`);
    if (value === REJECT || value === IRRELEVANT) {
      // Not negotiated: the default stands (markers and digests default to off).
      this.values.delete(key);
      return;
    }
    const t = spec.type;
    let ok: boolean;
    switch (t.kind) {
      case 'number': {
        const n = parseNumber(value);
        const mine = Number(offered);
        ok = inRange(t, n) && (t.result === 'min' ? n <= mine : n >= mine);
        break;
      }
      case 'boolean':
        // AND: No is always admissible, Yes only if we offered Yes; OR the other way round.
        ok =
          value === 'No'
            ? t.result === 'and' || offered === 'No'
            : value === 'Yes' && (t.result === 'or' || offered === 'Yes');
        break;
      case 'list':
        ok = offered.split(',').includes(value);
        break;
      case 'declarative':
      case 'reject':
      case 'auth':
        ok = true;
    }
    if (!ok) this.fail(`target answered ${key}=${value} to our ${offered}`);
    this.values.set(key, value);
  }

  private fail(message: string): never {
    throw new IscsiProtocolError(this.opts.device, message);
  }
}
