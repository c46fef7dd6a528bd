import { describe, expect, it } from 'vitest';
import { initialPassword } from '../../../firmware/users/initial.ts';
import { DUMMY_RECORD, hashPassword, parseRecord, verifyPassword } from '../../../firmware/users/password.ts';
import { validateConfig, defaultConfig } from '../../../firmware/config/validate.ts';

describe('scrypt password records', () => {
  it('hashes with N=16384 r=8 p=1, a 16-byte salt and a 32-byte key, and verifies', async () => {
    const record = await hashPassword('correct horse battery');
    const parts = record.split('$');
    expect(parts.slice(0, 4)).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(parts[4]!, 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[5]!, 'base64')).toHaveLength(32);
    expect(await verifyPassword('correct horse battery', record)).toBe(true);
    expect(await verifyPassword('correct horse batterz', record)).toBe(false);
    expect(await hashPassword('correct horse battery')).not.toBe(record);
    // The config accepts what it makes.
    const c = defaultConfig();
    c.web.users = [{ name: 'admin', role: 'admin', hash: record, mustChange: false }];
    expect(validateConfig(c).ok).toBe(true);
  });

  it('refuses malformed or costly records without throwing', async () => {
    for (const bad of [
      undefined,
      42,
      '',
      'scrypt$16384$8$1$c2FsdA==',
      'bcrypt$16384$8$1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5a2V5',
      'scrypt$16383$8$1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5a2V5',
      'scrypt$1048576$8$1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5a2V5',
      'scrypt$16384$99$1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5a2V5',
      'scrypt$16384$8$1$!!!$a2V5a2V5a2V5a2V5a2V5a2V5',
      'x'.repeat(300),
    ]) {
      expect(parseRecord(bad).ok, String(bad)).toBe(false);
      expect(await verifyPassword('anything at all', bad)).toBe(false);
    }
    expect(parseRecord(DUMMY_RECORD).ok).toBe(true);
    expect(await verifyPassword('', DUMMY_RECORD)).toBe(false);
  });
});

describe('initial admin password', () => {
  it('is 16 base32 characters in groups of four, fixed per secret and different per box', () => {
    const a = initialPassword('11'.repeat(32));
    expect(a).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    expect(initialPassword('11'.repeat(32))).toBe(a);
    expect(initialPassword('12'.repeat(32))).not.toBe(a);
    expect(() => initialPassword('nothex')).toThrow(/web.secret/);
  });
});
