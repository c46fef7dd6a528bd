// The initial admin password: derived from the box's own web.secret (made at
// first start, so it differs per box), never stored. While web.users is
// empty, `admin` logs in with it and must change it at once; the daemon
// writes it to the serial console at start and `initial-password` shows it.
import { createHmac } from 'node:crypto';

const LABEL = 'tandem initial admin password';
/** RFC 4648 base32 alphabet. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** 16 base32 characters (80 bits) in groups of four: ABCD-EFGH-IJKL-MNOP. */
export function initialPassword(secretHex: string): string {
  if (!/^[0-9a-f]{64}$/.test(secretHex)) throw new Error('web.secret: must be 64 lowercase hex digits');
  const mac = createHmac('sha256', Buffer.from(secretHex, 'hex')).update(LABEL).digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of mac) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length === 16) break;
  }
  return out.match(/.{4}/g)?.join('-') ?? out;
}

/** The name the initial password logs in as. */
export const INITIAL_ADMIN = 'admin';
