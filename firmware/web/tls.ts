// The web panel's certificate. At first start there is none: openssl makes a
// self-signed one (P-256, ten years) whose names cover the box id, this
// controller's addresses, the private link's and every VIP, so a browser
// that is told to trust it once trusts it through the VIP too. An admin may
// install their own (a PEM certificate and its key): both are checked (they
// parse, the key is the certificate's, it is not expired) before the pair
// replaces the old one, and the running server picks it up at once.
import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Result } from '../core/result.ts';

const run = promisify(execFile);

/** A PEM certificate chain or key larger than this is refused unread. */
export const MAX_PEM_BYTES = 64 * 1024;

export interface TlsPair {
  readonly cert: string;
  readonly key: string;
}

export interface CertificateNames {
  readonly dns: readonly string[];
  readonly ips: readonly string[];
}

/**
 * The names every certificate of this controller carries: the box id,
 * `<box>-<controller>`, localhost and its own IPv4 addresses. The web process
 * adds the addresses its config knows; the first boot, with no config yet,
 * makes the certificate with these alone.
 */
export function controllerNames(box: string, controller: string): { dns: string[]; ips: string[] } {
  const ips = Object.values(networkInterfaces())
    .flat()
    .filter((i) => i?.family === 'IPv4')
    .map((i) => i?.address ?? '');
  return { dns: [box, `${box}-${controller.toLowerCase()}`, 'localhost'], ips };
}

const certPath = (dir: string): string => join(dir, 'cert.pem');
const keyPath = (dir: string): string => join(dir, 'key.pem');

/** The pair in `dir`, made there first when missing or unusable. */
export async function ensureCertificate(dir: string, names: CertificateNames): Promise<TlsPair> {
  if (existsSync(certPath(dir)) && existsSync(keyPath(dir))) {
    const pair = { cert: readFileSync(certPath(dir), 'utf8'), key: readFileSync(keyPath(dir), 'utf8') };
    if (checkPair(pair, Date.now()).ok) return pair;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const san = [
    ...new Set(names.dns.filter((n) => /^[A-Za-z0-9.-]{1,253}$/.test(n)).map((n) => `DNS:${n}`)),
    ...new Set(names.ips.filter((a) => isIP(a) !== 0).map((a) => `IP:${a}`)),
  ];
  const cn = names.dns[0] ?? 'tandem';
  const tmpKey = `${keyPath(dir)}.new`;
  const tmpCert = `${certPath(dir)}.new`;
  await run(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '3650',
      '-subj',
      `/CN=${cn}/O=Tandem`,
      '-addext',
      `subjectAltName=${san.join(',')}`,
      '-keyout',
      tmpKey,
      '-out',
      tmpCert,
    ],
    { timeout: 30_000 },
  );
  const pair = { cert: readFileSync(tmpCert, 'utf8'), key: readFileSync(tmpKey, 'utf8') };
  const checked = checkPair(pair, Date.now());
  if (!checked.ok) throw new Error(`openssl made an unusable certificate: ${checked.error}`);
  renameSync(tmpKey, keyPath(dir));
  renameSync(tmpCert, certPath(dir));
  return pair;
}

/** Whether `pair` can serve: both parse, the key is the certificate's, and it is valid now. */
export function checkPair(pair: TlsPair, now: number): Result<X509Certificate, string> {
  if (Buffer.byteLength(pair.cert) > MAX_PEM_BYTES || Buffer.byteLength(pair.key) > MAX_PEM_BYTES)
    return { ok: false, error: `certificate or key over ${MAX_PEM_BYTES} bytes` };
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pair.cert);
  } catch {
    return { ok: false, error: 'certificate: not a PEM X.509 certificate' };
  }
  let key;
  try {
    key = createPrivateKey(pair.key);
  } catch {
    return { ok: false, error: 'key: not a PEM private key (or it is encrypted)' };
  }
  if (!x509.checkPrivateKey(key)) return { ok: false, error: 'key: does not belong to the certificate' };
  if (Date.parse(x509.validTo) < now) return { ok: false, error: `certificate: expired on ${x509.validTo}` };
  if (Date.parse(x509.validFrom) > now + 86_400_000)
    return { ok: false, error: `certificate: not valid before ${x509.validFrom}` };
  return { ok: true, value: x509 };
}

/** Check `pair`, then store it in `dir` (key 0600), each file replaced whole. */
export function installCertificate(dir: string, pair: TlsPair): Result<X509Certificate, string> {
  const checked = checkPair(pair, Date.now());
  if (!checked.ok) return checked;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(`${keyPath(dir)}.new`, pair.key, { mode: 0o600 });
  writeFileSync(`${certPath(dir)}.new`, pair.cert, { mode: 0o644 });
  renameSync(`${keyPath(dir)}.new`, keyPath(dir));
  renameSync(`${certPath(dir)}.new`, certPath(dir));
  return checked;
}
