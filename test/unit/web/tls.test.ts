// The web panel's certificate: made by openssl at first start with the
// names the box answers to, kept across restarts, and an uploaded pair
// checked before it replaces the old one (a key of another certificate, an
// expired certificate or garbage is refused with the reason).
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPair, ensureCertificate, installCertificate } from '../../../firmware/web/tls.ts';

describe('the web panel certificate', () => {
  const dirs: string[] = [];
  const dir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'tandem-tls-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('is made once with the box id, addresses and VIP as names, and kept', async () => {
    const d = dir();
    const pair = await ensureCertificate(d, {
      dns: ['box-7', 'box-7-a', 'bad name; rm -rf /'],
      ips: ['198.18.2.10', '198.18.2.11', 'not-an-ip'],
    });
    const x = new X509Certificate(pair.cert);
    expect(x.subjectAltName).toBe('DNS:box-7, DNS:box-7-a, IP Address:198.18.2.10, IP Address:198.18.2.11');
    expect(readFileSync(join(d, 'key.pem')).length).toBeGreaterThan(100);
    const again = await ensureCertificate(d, { dns: ['other'], ips: [] });
    expect(again.cert).toBe(pair.cert);
  }, 30_000);

  it('an upload must be a certificate with its own key, valid now', async () => {
    const one = await ensureCertificate(dir(), { dns: ['one'], ips: [] });
    const two = await ensureCertificate(dir(), { dns: ['two'], ips: [] });
    expect(checkPair({ cert: one.cert, key: two.key }, Date.now())).toEqual({
      ok: false,
      error: 'key: does not belong to the certificate',
    });
    expect(checkPair({ cert: 'garbage', key: one.key }, Date.now())).toEqual({
      ok: false,
      error: 'certificate: not a PEM X.509 certificate',
    });
    const expired = checkPair(one, Date.now() + 11 * 365 * 86_400_000);
    expect(expired.ok ? '' : expired.error).toMatch(/^certificate: expired on /);
    const d = dir();
    expect(installCertificate(d, two).ok).toBe(true);
    expect(readFileSync(join(d, 'cert.pem'), 'utf8')).toBe(two.cert);
  }, 30_000);
});
