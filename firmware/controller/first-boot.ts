// What a controller with no config shows on its serial console at first boot
// (docs/image.md "First boot"): the web panel's initial admin password (from
// the box's web secret, made and stored here when there is none), the
// SHA-256 fingerprint of the web certificate (made now by the web process's
// own code, in the directory it reads, so it reuses it) and a random root
// password, set with chpasswd. Secrets go to the console only, never into the
// event log (it goes to MQTT): the log says what was done and where.
import { X509Certificate } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../../hal/errors.ts';
import type { ControllerIdentity } from '../config/identity-file.ts';
import { INITIAL_ADMIN, initialPassword } from '../users/initial.ts';
import {
  makeRootPassword,
  rootPasswordBlocked,
  setRootPassword,
  type RootPasswordOutcome,
} from '../users/root-password.ts';
import { ensureStoredSecret } from '../users/stored-secret.ts';
import { controllerNames, ensureCertificate } from '../web/tls.ts';

export interface FirstBootOptions {
  readonly identity: ControllerIdentity;
  /** hal paths.stateDir: the stored secret, and web/ with the certificate. */
  readonly stateDir: string;
  /** hal paths.console. */
  readonly consolePath: string;
  /** The box's web secret (firstBootSecret). */
  readonly secret: string;
  readonly log: (severity: 'notice' | 'warning', code: string, message: string) => void;
  /** For tests: where the console text goes (default: appended to consolePath). */
  readonly writeConsole?: (text: string) => Promise<void>;
  /** For tests: how root's password is set (default: chpasswd when root). */
  readonly setRoot?: (password: string) => Promise<RootPasswordOutcome>;
}

/** The web certificate's SHA-256 fingerprint, as browsers show it (AA:BB:…). */
export function certificateFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** The box's web secret before a config exists: the stored one, made first when there is none. */
export async function firstBootSecret(
  stateDir: string,
  box: string,
  log: FirstBootOptions['log'],
): Promise<string> {
  const stored = await ensureStoredSecret(stateDir);
  if (stored.problem !== undefined)
    log('warning', 'WEB_SECRET_REPLACED', `${stored.problem}; a new one was made`);
  else if (stored.made)
    log('notice', 'WEB_SECRET_MADE', `the web secret of box ${box} was made and stored in ${stateDir}`);
  return stored.secret;
}

/** Makes the certificate and the root password, and prints them with the initial admin password. */
export async function firstBoot(o: FirstBootOptions): Promise<void> {
  const { controller, box } = o.identity;
  let fingerprint: string | null = null;
  try {
    const pair = await ensureCertificate(join(o.stateDir, 'web'), controllerNames(box, controller));
    fingerprint = certificateFingerprint(pair.cert);
    o.log('notice', 'WEB_CERTIFICATE_READY', `web certificate SHA-256 fingerprint ${fingerprint}`);
  } catch (err) {
    o.log(
      'warning',
      'WEB_CERTIFICATE_FAILED',
      `the web certificate could not be made: ${errorMessage(err)}; the web process makes it at its start`,
    );
  }

  // The root password is printed before it is set: one set but never shown
  // would lock the console out. Off the image (tests, the lab): none.
  const blocked = o.setRoot !== undefined ? null : rootPasswordBlocked();
  const setRoot = o.setRoot ?? ((p: string) => setRootPassword(p));
  const root = blocked === null ? makeRootPassword() : null;
  const write = o.writeConsole ?? ((t: string) => appendFile(o.consolePath, t));
  const lines = [
    '',
    `Tandem controller ${controller} of box ${box}: first boot, no config yet (unconfigured).`,
    `  web panel: log in as ${INITIAL_ADMIN} with the initial password ${initialPassword(o.secret)}`,
    `  web certificate SHA-256: ${fingerprint ?? '(not made yet; see the event log)'}`,
    root !== null
      ? `  root password (this console): ${root}`
      : `  root password: left as it is (${blocked ?? ''})`,
    '  Import this box’s config to start: tandemctl config import FILE',
    '',
  ];
  try {
    await write(lines.join('\r\n'));
    o.log(
      'notice',
      'FIRST_BOOT_SHOWN',
      `the first boot's passwords and certificate fingerprint were written to ${o.consolePath}`,
    );
  } catch (err) {
    o.log(
      'warning',
      'WEB_CONSOLE_UNWRITABLE',
      `the first boot's passwords could not be written to ${o.consolePath}: ${errorMessage(err)}; ` +
        'the root password was left as it is; tandemctl web initial-password shows the web one',
    );
    return;
  }
  if (root === null)
    o.log('notice', 'ROOT_PASSWORD_NOT_SET', `the root password was left as it is: ${blocked ?? ''}`);
  else {
    const outcome = await setRoot(root);
    if (outcome.set)
      o.log('notice', 'ROOT_PASSWORD_SET', `a random root password was set (shown on ${o.consolePath})`);
    else {
      o.log('warning', 'ROOT_PASSWORD_NOT_SET', `the root password was left as it is: ${outcome.why}`);
      await write(`  The root password above was NOT set: ${outcome.why}\r\n`).catch(() => undefined);
    }
  }
}
