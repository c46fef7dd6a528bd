import { describe, expect, it } from 'vitest';
import { ROLES } from '../../../firmware/commands/define.ts';
import { validateText } from '../../../firmware/commands/config-dry-run.ts';
import { REDACTED, redacted, restoreRedacted } from '../../../firmware/config/import-plan.ts';
import { requiresRestart } from '../../../firmware/config/restart.ts';
import { WEB_ROLES, type TandemConfig } from '../../../firmware/config/schema.ts';
import { secretPointers } from '../../../firmware/config/secret-paths.ts';
import { defaultConfig, validateConfig } from '../../../firmware/config/validate.ts';

const HASH_A = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U=';
const HASH_B = 'scrypt$16384$8$1$YmJiYmJiYmJiYmJiYmJiYg==$YmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmI=';

function withUsers(): TandemConfig {
  const c = defaultConfig();
  c.web.secret = 'ab'.repeat(32);
  c.web.metricsToken = 'm'.repeat(40);
  c.web.users = [
    { name: 'alice', role: 'admin', hash: HASH_A, mustChange: false },
    { name: 'bob', role: 'viewer', hash: HASH_B, mustChange: true },
  ];
  return c;
}

describe('web settings', () => {
  it('defaults: web off on 443 and 80, 15 minutes, no users; Home Assistant off under homeassistant', () => {
    const c = defaultConfig();
    expect(c.web).toMatchObject({ enabled: false, port: 443, httpPort: 80, idleMinutes: 15, users: [] });
    expect(c.mqtt.homeAssistant).toEqual({ enabled: false, prefix: 'homeassistant' });
    expect(WEB_ROLES).toEqual(ROLES);
  });

  it('users, the idle time and the secret are live; the ports and the switch need a restart', () => {
    expect(requiresRestart('/web/users')).toBe(false);
    expect(requiresRestart('/web/users/0/hash')).toBe(false);
    expect(requiresRestart('/web/idleMinutes')).toBe(false);
    expect(requiresRestart('/web/secret')).toBe(false);
    expect(requiresRestart('/web/port')).toBe(true);
    expect(requiresRestart('/web/httpPort')).toBe(true);
    expect(requiresRestart('/web/enabled')).toBe(true);
  });

  it('refuses a bad user name, role, record, or more than 64 users', () => {
    const bad = (edit: (c: TandemConfig) => void) => {
      const c = withUsers();
      edit(c);
      return validateConfig(c).ok;
    };
    expect(bad(() => undefined)).toBe(true);
    expect(bad((c) => (c.web.users[0] = { ...c.web.users[0]!, name: 'Alice' }))).toBe(false);
    expect(bad((c) => (c.web.users[0] = { ...c.web.users[0]!, role: 'root' as 'admin' }))).toBe(false);
    expect(bad((c) => (c.web.users[0] = { ...c.web.users[0]!, hash: 'plain' }))).toBe(false);
    expect(bad((c) => (c.web.secret = 'x'))).toBe(false);
    expect(bad((c) => (c.web.metricsToken = 'short'))).toBe(false);
    expect(bad((c) => (c.web.idleMinutes = 241))).toBe(false);
    expect(bad((c) => (c.mqtt.homeAssistant.prefix = 'ha/#'))).toBe(false);
    expect(
      bad((c) => {
        c.web.users = Array.from({ length: 65 }, (_, i) => ({
          name: `u${i}`,
          role: 'viewer' as const,
          hash: HASH_A,
          mustChange: false,
        }));
      }),
    ).toBe(false);
  });

  it('redacts every user’s hash, the secret and the metrics token in an export', () => {
    const out = redacted(withUsers());
    expect(out.web.users.map((u) => u.hash)).toEqual([REDACTED, REDACTED]);
    expect(out.web.secret).toBe(REDACTED);
    expect(out.web.metricsToken).toBe(REDACTED);
    expect(JSON.stringify(out)).not.toContain('scrypt$');
    expect(secretPointers(withUsers())).toContain('/web/users/1/hash');
  });

  it('an imported export gets each user’s own hash back, matched by name', () => {
    const inForce = withUsers();
    const exported = redacted(inForce) as unknown as Record<string, unknown>;
    const web = exported['web'] as { users: { name: string }[] };
    web.users.reverse();
    web.users.push({ name: 'carol', role: 'viewer', hash: REDACTED, mustChange: true } as never);
    const back = restoreRedacted(exported, inForce) as TandemConfig;
    expect(back.web.users.map((u) => [u.name, u.hash])).toEqual([
      ['bob', HASH_B],
      ['alice', HASH_A],
      ['carol', undefined],
    ]);
    expect(back.web.secret).toBe(inForce.web.secret);
  });

  it('the dry run accepts an export with redacted hashes', () => {
    const text = JSON.stringify({ format: 'tandem-config', config: redacted(withUsers()) });
    expect(validateText(text, withUsers())).toMatchObject({ ok: true, unchanged: true });
  });
});

describe('web rules', () => {
  it('user names unique, at least one admin, the two ports distinct', () => {
    const issues = (edit: (c: TandemConfig) => void) => {
      const c = withUsers();
      edit(c);
      const r = validateConfig(c);
      return r.ok ? [] : r.errors.map((e) => e.path);
    };
    expect(issues(() => undefined)).toEqual([]);
    expect(issues((c) => (c.web.users[1] = { ...c.web.users[1]!, name: 'alice' }))).toEqual([
      '/web/users/1/name',
    ]);
    expect(issues((c) => (c.web.users[0] = { ...c.web.users[0]!, role: 'operator' }))).toEqual([
      '/web/users',
    ]);
    expect(issues((c) => ((c.web.enabled = true), (c.web.httpPort = 443)))).toEqual(['/web/httpPort']);
  });
});
