// CHAP with MD5 (RFC 1994 as used by RFC 7143 §12.1.3):
// CHAP_R = MD5(CHAP_I as one byte || secret || challenge).
import { createHash } from 'node:crypto';
import { IscsiProtocolError } from './errors.ts';
import { numericValue } from './text.ts';

export const CHAP_ALGORITHM_MD5 = '5';

/** Decode a CHAP binary value: 0x-hex or 0b-base64 (RFC 7143 §6.1 binary-value). */
export function decodeChapBinary(key: string, value: string, device = 'iscsi'): Buffer {
  if (/^0x([0-9a-f]{2})+$/i.test(value)) return Buffer.from(value.slice(2), 'hex');
  if (/^0b[A-Za-z0-9+/]+={0,2}$/.test(value)) return Buffer.from(value.slice(2), 'base64');
  throw new IscsiProtocolError(device, `${key} is not a 0x-hex or 0b-base64 value`);
}

export function chapResponse(id: number, secret: string, challenge: Uint8Array): Buffer {
  return createHash('md5')
    .update(Buffer.of(id & 0xff))
    .update(secret, 'utf8')
    .update(challenge)
    .digest();
}

/** Answer the target's CHAP_A/CHAP_I/CHAP_C with the CHAP_N/CHAP_R pair. */
export function answerChallenge(
  keys: ReadonlyMap<string, string>,
  username: string,
  secret: string,
  device = 'iscsi',
): [readonly [string, string], readonly [string, string]] {
  const algorithm = keys.get('CHAP_A');
  if (algorithm !== CHAP_ALGORITHM_MD5) {
    throw new IscsiProtocolError(
      device,
      `target chose CHAP_A=${algorithm ?? '(missing)'}, we offered only 5 (MD5)`,
    );
  }
  const idText = keys.get('CHAP_I');
  const challengeText = keys.get('CHAP_C');
  if (idText === undefined || challengeText === undefined) {
    throw new IscsiProtocolError(device, 'CHAP challenge lacks CHAP_I or CHAP_C');
  }
  const id = numericValue('CHAP_I', idText, 0, 255, device);
  const challenge = decodeChapBinary('CHAP_C', challengeText, device);
  if (challenge.length === 0 || challenge.length > 1024) {
    throw new IscsiProtocolError(device, `CHAP_C length ${challenge.length} out of range`);
  }
  return [
    ['CHAP_N', username],
    ['CHAP_R', '0x' + chapResponse(id, secret, challenge).toString('hex')],
  ];
}
