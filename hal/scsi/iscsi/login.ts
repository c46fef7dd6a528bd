// The login phase (RFC 7143 §6.3): security stage, operational negotiation,
// then full feature phase. Written against a tiny exchange interface so it
// does not care about sockets.
import { answerChallenge, CHAP_ALGORITHM_MD5 } from './chap.ts';
import type { IscsiConfig } from './config.ts';
import type { LoginResponse } from './decode.ts';
import { LoginStage } from './encode.ts';
import { IscsiLoginError, IscsiProtocolError } from './errors.ts';
import { Negotiation, OUR_MAX_RECV_DATA_SEGMENT_LENGTH, type NegotiationStage } from './negotiation.ts';
import { decodeText, encodeText, numericValue, type TextPairs } from './text.ts';

export { OUR_MAX_RECV_DATA_SEGMENT_LENGTH };
/** The operational keys we propose (or declare), in this order (REFERENCE §4). */
const OPERATIONAL_OFFER = [
  'HeaderDigest',
  'DataDigest',
  'MaxRecvDataSegmentLength',
  'InitialR2T',
  'ImmediateData',
  'FirstBurstLength',
  'MaxBurstLength',
  'MaxOutstandingR2T',
  'ErrorRecoveryLevel',
] as const;
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
  const auth = config.auth;
  const neg = new Negotiation({
    sessionType: 'Normal',
    device,
    ours: { AuthMethod: auth.method === 'chap' ? 'CHAP' : 'None' },
  });
  let lastTsih = 0;
  /** One Login Request/Response; returns the response, its keys and the answers we owe. */
  const round = async (transit: boolean, csg: LoginStage, nsg: LoginStage, pairs: TextPairs) => {
    const r = await exchange.round(transit, csg, nsg, encodeText(pairs, device));
    checkStatus(r, device);
    if (r.csg !== csg) throw new IscsiProtocolError(device, `Login Response CSG ${r.csg}, expected ${csg}`);
    if (r.transit && r.nsg !== nsg)
      throw new IscsiProtocolError(device, `Login Response NSG ${r.nsg}, asked ${nsg}`);
    const keys = decodeText(r.data, device);
    const stage: NegotiationStage = csg === LoginStage.SECURITY ? 'security' : 'operational';
    const ends = r.transit && r.nsg === LoginStage.FULL_FEATURE;
    const answers = neg.receive(stage, keys, ends);
    lastTsih = r.tsih;
    return { r, keys, answers };
  };

  // Security stage (RFC 7143 §6.3.1).
  const leading: TextPairs = [
    ['InitiatorName', config.initiatorName],
    ['SessionType', 'Normal'],
    ['TargetName', config.targetIqn],
  ];
  let last: Awaited<ReturnType<typeof round>>;
  if (auth.method === 'chap') {
    const offered = await round(false, LoginStage.SECURITY, LoginStage.OPERATIONAL, [
      ...leading,
      ...neg.offer(['AuthMethod']),
    ]);
    const challenge = await round(false, LoginStage.SECURITY, LoginStage.OPERATIONAL, [
      ...offered.answers,
      ['CHAP_A', CHAP_ALGORITHM_MD5],
    ]);
    const answer = answerChallenge(challenge.keys, auth.username, auth.secret, device);
    last = await round(true, LoginStage.SECURITY, LoginStage.OPERATIONAL, [...challenge.answers, ...answer]);
  } else {
    last = await round(true, LoginStage.SECURITY, LoginStage.OPERATIONAL, [
      ...leading,
      ...neg.offer(['AuthMethod']),
    ]);
  }
  for (let i = 0; !last.r.transit; i++) {
    if (i >= MAX_ROUNDS) throw new IscsiProtocolError(device, 'target never left the security stage');
    last = await round(true, LoginStage.SECURITY, LoginStage.OPERATIONAL, last.answers);
  }
  const method = neg.result('AuthMethod');
  if (method !== neg.ours('AuthMethod'))
    throw new IscsiProtocolError(
      device,
      `target answered AuthMethod=${method ?? 'Reject'} to ${neg.ours('AuthMethod')}`,
    );

  // Operational negotiation (§6.3.2): our offer, then answers to whatever the
  // target proposes, until it moves to full feature phase with nothing left
  // unanswered on either side.
  let pairs: TextPairs = [...last.answers, ...neg.offer(OPERATIONAL_OFFER)];
  for (let i = 0; ; i++) {
    if (i >= MAX_ROUNDS) {
      const open = neg.unanswered;
      throw new IscsiProtocolError(
        device,
        `operational negotiation did not finish${open.length > 0 ? ` (unanswered: ${open.join(', ')})` : ''}`,
      );
    }
    const { r, answers } = await round(true, LoginStage.OPERATIONAL, LoginStage.FULL_FEATURE, pairs);
    if (r.transit) break;
    pairs = answers;
  }
  return parameters(neg, lastTsih, device);
}

/** Fold the negotiated keys into the parameters the session runs with. */
function parameters(neg: Negotiation, tsih: number, device: string): NegotiatedParameters {
  for (const key of ['HeaderDigest', 'DataDigest', 'IFMarker', 'OFMarker'] as const) {
    const v = neg.result(key);
    if (v !== 'None' && v !== 'No') throw new IscsiProtocolError(device, `target insists on ${key}=${v}`);
  }
  const erl = neg.result('ErrorRecoveryLevel');
  if (erl !== '0') throw new IscsiProtocolError(device, `target chose ErrorRecoveryLevel=${erl}`);
  const bytes = (key: string): number => numericValue(key, neg.result(key) ?? '', 512, 0xffffff, device);
  const maxBurstLength = bytes('MaxBurstLength');
  return {
    targetMaxRecvDataSegmentLength: bytes('MaxRecvDataSegmentLength'),
    // §13.14: FirstBurstLength MUST NOT exceed MaxBurstLength.
    firstBurstLength: Math.min(maxBurstLength, bytes('FirstBurstLength')),
    maxBurstLength,
    initialR2T: neg.result('InitialR2T') === 'Yes',
    immediateData: neg.result('ImmediateData') === 'Yes',
    tsih,
  };
}
