// The root password of a controller at first boot. The image ships no
// shared default: at first boot a random one is made, set with chpasswd
// (the password on its standard input, never on its command line, where ps
// shows it) and printed on the serial console with the web's initial admin
// password. Only on the image: as root, with the firmware run from where the
// image installs it (/opt/tandem). Anywhere else (a test, the lab, a
// development machine, whose root password is not ours to change) it is
// neither made nor printed, and the notice says why.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../../hal/errors.ts';

/** Where the image installs the firmware (docs/image.md). */
export const IMAGE_FIRMWARE_DIR = '/opt/tandem/';

/** Why this process must not set root's password, or null when it may (root, on the image). */
export function rootPasswordBlocked(
  uid: number = process.getuid?.() ?? -1,
  here: string = fileURLToPath(import.meta.url),
): string | null {
  if (uid !== 0) return 'the daemon does not run as root';
  if (!here.startsWith(IMAGE_FIRMWARE_DIR))
    return `not on the image (the firmware runs from ${here.slice(0, 120)}, not ${IMAGE_FIRMWARE_DIR})`;
  return null;
}

/** RFC 4648 base32 without padding: no characters a console or keyboard mangles. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** 20 base32 characters (100 bits) in groups of four. */
export function makeRootPassword(): string {
  const bytes = randomBytes(20);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return out.match(/.{4}/g)?.join('-') ?? out;
}

export type RootPasswordOutcome = { readonly set: true } | { readonly set: false; readonly why: string };

/** Runs a program with `input` on its standard input; a test hands in its own. */
export type StdinRunner = (file: string, args: readonly string[], input: string) => Promise<void>;

const runWithStdin: StdinRunner = (file, args, input) =>
  new Promise((resolve, reject) => {
    const child = execFile(file, [...args], { timeout: 10_000 }, (error, _stdout, stderr) => {
      if (error === null) resolve();
      // ENOENT kept as it is: the caller tells "not installed" from a failure.
      else if (error.code === 'ENOENT')
        reject(Object.assign(new Error(`${file}: not found`), { code: 'ENOENT' }));
      else reject(new Error(stderr.trim().slice(0, 200) || error.message));
    });
    // A program that is missing or exits early closes its stdin: the callback reports it.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });

/** Sets root's password to `password` with chpasswd, when this process may (rootPasswordBlocked). */
export async function setRootPassword(
  password: string,
  o: { blocked?: string | null; run?: StdinRunner } = {},
): Promise<RootPasswordOutcome> {
  const blocked = o.blocked !== undefined ? o.blocked : rootPasswordBlocked();
  if (blocked !== null) return { set: false, why: blocked };
  try {
    await (o.run ?? runWithStdin)('chpasswd', [], `root:${password}\n`);
    return { set: true };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      set: false,
      why: code === 'ENOENT' ? 'chpasswd is not installed' : `chpasswd: ${errorMessage(err)}`,
    };
  }
}
