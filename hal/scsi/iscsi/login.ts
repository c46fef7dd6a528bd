// The login phase (RFC 7143 §6.3): security stage, operational negotiation,
// then full feature phase. Written against a tiny exchange interface so it
// does not care about sockets.
import { answerChallenge, CHAP_ALGORITHM_MD5 } from './chap.ts';
import type { IscsiConfig } from './config.ts';
import type { LoginResponse } from './decode.ts';
import { LoginStage } from './encode.ts';
import { IscsiLoginError, IscsiProtocolError } from './errors.ts';
import { booleanValue, decodeText, encodeText, numericValue, type TextPairs } from './text.ts';

/** What we offer (REFERENCE §4); our MaxRecvDataSegmentLength also bounds the framer. */
export const OUR_MAX_RECV_DATA_SEGMENT_LENGTH = 262144;
const OFFER = {
  firstBurstLength: 65536,
  maxBurstLength: 262144,
} as const;
/** tgt does not declare its MaxRecvDataSegmentLength; RFC 7143 default is 8192. */
const TARGET_DEFAULT_MAX_RECV_DATA_SEGMENT_LENGTH = 8192;
/** A target needing more rounds than this to agree is broken or hostile. */
const MAX_ROUNDS = 8;

export interface LoginExchange {
  /** Send one Login Request and return the matching Login Response. */
  round(transit: boolean, csg: LoginStage, nsg: LoginStage, text: Buffer): Promise<LoginResponse>;
}

export interface NegotiatedParameters {
  /** Largest data segment we may send (immediate data, each Data-Out). */
  readonly targetMaxRecvDataSegmentLength: number;
  readonly firstBurstLength: number;
  readonly maxBurstLength: number;
  readonly immediateData: boolean;
  readonly initialR2T: boolean;
  readonly tsih: number;
}

function checkStatus(r: LoginResponse, device: string): void {
  if (r.statusClass !== 0) {
    const code = ((r.statusClass << 8) | r.statusDetail).toString(16).padStart(4, '0');
    const what =
      r.statusClass === 2 && r.statusDetail === 1
        ? 'authentication failed'
        : r.statusClass === 2 && r.statusDetail === 3
          ? 'target not found'
          : r.statusClass === 1
            ? 'target redirected us (not supported)'
            : r.statusClass === 3
              ? 'target error'
              : 'initiator error';
    throw new IscsiLoginError(
      device,
      r.statusClass,
      r.statusDetail,
      `login rejected: ${what} (status 0x${code})`,
    );
  }
}

export async function performLogin(
  config: IscsiConfig,
  exchange: LoginExchange,
  device: string,
): Promise<NegotiatedParameters> {
  const targetKeys = new Map<string, string>();
  let lastTsih = 0;
  const round = async (transit: boolean, csg: LoginStage, nsg: LoginStage, pairs: TextPairs) => {
    const r = await exchange.round(transit, csg, nsg, encodeText(pairs, device));
    checkStatus(r, device);
    if (r.csg !== csg) throw new IscsiProtocolError(device, `Login Response CSG ${r.csg}, expected ${csg}`);
    const keys = decodeText(r.data, device);
    for (const [k, v] of keys) targetKeys.set(k, v);
    lastTsih = r.tsih;
    return { r, keys };
  };

  const leading: TextPairs = [
    ['InitiatorName', config.initiatorName],
    ['SessionType', 'Normal'],
    ['TargetName', config.targetIqn],
  ];
  const auth = config.auth;
  let last: LoginResponse;
  if (auth.method === 'chap') {
    const offered = await round(false, LoginStage.SECURITY, LoginStage.OPERATIONAL, [
      ...leading,
      ['AuthMethod', 'CHAP'],
    ]);
    if (offered.keys.get('AuthMethod') !== 'CHAP') {
      throw new IscsiProtocolError(
        device,
        `target answered AuthMethod=${offered.keys.get('AuthMethod') ?? '(none)'} to CHAP`,
      );
    }
    const challenge = await round(false, LoginStage.SECURITY, LoginStage.OPERATIONAL, [
      ['CHAP_A', CHAP_ALGORITHM_MD5],
    ]);
    const answer = answerChallenge(challenge.keys, auth.username, auth.secret, device);
    last = (await round(true, LoginStage.SECURITY, LoginStage.OPERATIONAL, answer)).r;
  } else {
    last = (
      await round(true, LoginStage.SECURITY, LoginStage.OPERATIONAL, [...leading, ['AuthMethod', 'None']])
    ).r;
  }
  for (let i = 0; !last.transit; i++) {
    if (i >= MAX_ROUNDS) throw new IscsiProtocolError(device, 'target never left the security stage');
    last = (await round(true, LoginStage.SECURITY, LoginStage.OPERATIONAL, [])).r;
  }

  if (last.nsg !== LoginStage.FULL_FEATURE) {
    if (last.nsg !== LoginStage.OPERATIONAL)
      throw new IscsiProtocolError(device, `Login Response NSG ${last.nsg}`);
    let pairs: TextPairs = [
      ['HeaderDigest', 'None'],
      ['DataDigest', 'None'],
      ['MaxRecvDataSegmentLength', String(OUR_MAX_RECV_DATA_SEGMENT_LENGTH)],
      ['InitialR2T', 'Yes'],
      ['ImmediateData', 'Yes'],
      ['FirstBurstLength', String(OFFER.firstBurstLength)],
      ['MaxBurstLength', String(OFFER.maxBurstLength)],
      ['MaxOutstandingR2T', '1'],
      ['ErrorRecoveryLevel', '0'],
    ];
    for (let i = 0; ; i++) {
      if (i >= MAX_ROUNDS) throw new IscsiProtocolError(device, 'operational negotiation did not finish');
      const { r } = await round(true, LoginStage.OPERATIONAL, LoginStage.FULL_FEATURE, pairs);
      pairs = [];
      if (r.transit) {
        if (r.nsg !== LoginStage.FULL_FEATURE)
          throw new IscsiProtocolError(device, `Login Response NSG ${r.nsg}`);
        break;
      }
    }
  }
  return negotiate(targetKeys, lastTsih, device);
}

/** Fold the target's answers into the parameters the session runs with. */
export function negotiate(
  keys: ReadonlyMap<string, string>,
  tsih: number,
  device: string,
): NegotiatedParameters {
  for (const digest of ['HeaderDigest', 'DataDigest']) {
    const v = keys.get(digest);
    if (v !== undefined && v !== 'None')
      throw new IscsiProtocolError(device, `target insists on ${digest}=${v}`);
  }
  const erl = keys.get('ErrorRecoveryLevel');
  if (erl !== undefined && erl !== '0')
    throw new IscsiProtocolError(device, `target chose ErrorRecoveryLevel=${erl}`);
  const num = (key: string, fallback: number, max: number): number => {
    const v = keys.get(key);
    return v === undefined ? fallback : numericValue(key, v, 512, max, device);
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = keys.get(key);
    return v === undefined || v === 'Irrelevant' ? fallback : booleanValue(key, v, device);
  };
  const maxBurstLength = Math.min(
    OFFER.maxBurstLength,
    num('MaxBurstLength', OFFER.maxBurstLength, 0xffffff),
  );
  return {
    targetMaxRecvDataSegmentLength: num(
      'MaxRecvDataSegmentLength',
      TARGET_DEFAULT_MAX_RECV_DATA_SEGMENT_LENGTH,
      0xffffff,
    ),
    firstBurstLength: Math.min(
      OFFER.firstBurstLength,
      maxBurstLength,
      num('FirstBurstLength', OFFER.firstBurstLength, 0xffffff),
    ),
    maxBurstLength,
    // InitialR2T is OR-ed and we offer Yes; ImmediateData is AND-ed and we offer Yes.
    initialR2T: true,
    immediateData: bool('ImmediateData', true),
    tsih,
  };
}
