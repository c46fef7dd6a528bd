import { describe, expect, it } from 'vitest';
import { validateIscsiConfig } from '../../../hal/scsi/iscsi/config.ts';
import { IscsiConfigError } from '../../../hal/scsi/iscsi/errors.ts';

const GOOD = {
  portal: { host: '198.18.3.1', port: 3260 },
  targetIqn: 'iqn.2026-11.invalid.tandem:encl',
  initiatorName: 'iqn.2026-11.invalid.tandem:a',
  lun: 1,
};

function fieldOf(input: unknown): string {
  try {
    validateIscsiConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(IscsiConfigError);
    return (err as IscsiConfigError).field;
  }
  throw new Error('expected a config error');
}

describe('iSCSI config validation', () => {
  it('fills defaults for a minimal config', () => {
    const c = validateIscsiConfig(GOOD);
    expect(c.auth).toEqual({ method: 'none' });
    expect(c.timeouts.loginMs).toBeGreaterThan(0);
    expect(c.reconnect.enabled).toBe(true);
  });

  it('names the field that is wrong', () => {
    expect(fieldOf(null)).toBe('config');
    expect(fieldOf({ ...GOOD, portal: { host: 'example.com', port: 3260 } })).toBe('portal.host');
    expect(fieldOf({ ...GOOD, portal: { host: '127.0.0.1', port: 70000 } })).toBe('portal.port');
    expect(fieldOf({ ...GOOD, targetIqn: 'target' })).toBe('targetIqn');
    expect(fieldOf({ ...GOOD, initiatorName: 42 })).toBe('initiatorName');
    expect(fieldOf({ ...GOOD, lun: -1 })).toBe('lun');
    expect(fieldOf({ ...GOOD, auth: { method: 'kerberos' } })).toBe('auth.method');
    expect(fieldOf({ ...GOOD, auth: { method: 'chap', username: 'u' } })).toBe('auth.secret');
    expect(fieldOf({ ...GOOD, timeouts: { loginMs: 0 } })).toBe('timeouts.loginMs');
    expect(fieldOf({ ...GOOD, reconnect: { initialDelayMs: 500, maxDelayMs: 100 } })).toBe(
      'reconnect.maxDelayMs',
    );
    expect(fieldOf({ ...GOOD, reconnect: { jitter: 2 } })).toBe('reconnect.jitter');
  });
});
