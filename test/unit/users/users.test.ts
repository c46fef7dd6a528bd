import { describe, expect, it } from 'vitest';
import {
  addUser,
  changeOwnPassword,
  passwordProblem,
  publicView,
  removeUser,
  resetUser,
  setRole,
  type WebUser,
} from '../../../firmware/users/users.ts';

const u = (name: string, role: WebUser['role']): WebUser => ({
  name,
  role,
  hash: `h-${name}`,
  mustChange: false,
});
const list = [u('alice', 'admin'), u('bob', 'operator')];

describe('web users list', () => {
  it('adds with unique, valid names; the new user must change the password', () => {
    const r = addUser(list, { name: 'carol', role: 'viewer', hash: 'h' });
    expect(r.ok && r.value.at(-1)).toEqual({ name: 'carol', role: 'viewer', hash: 'h', mustChange: true });
    expect(addUser(list, { name: 'bob', role: 'viewer', hash: 'h' })).toMatchObject({
      ok: false,
      error: /exists/,
    });
    expect(addUser(list, { name: 'Bad Name', role: 'viewer', hash: 'h' })).toMatchObject({ ok: false });
    const full = Array.from({ length: 64 }, (_, i) => u(`u${i}`, 'admin'));
    expect(addUser(full, { name: 'one', role: 'viewer', hash: 'h' })).toMatchObject({
      ok: false,
      error: /64/,
    });
  });

  it('never removes or demotes the last admin', () => {
    expect(removeUser(list, 'alice')).toMatchObject({ ok: false, error: /last admin/ });
    expect(setRole(list, 'alice', 'operator')).toMatchObject({ ok: false, error: /last admin/ });
    const two = setRole(list, 'bob', 'admin');
    expect(two.ok).toBe(true);
    if (!two.ok) return;
    expect(removeUser(two.value, 'alice')).toMatchObject({ ok: true });
    expect(setRole(two.value, 'alice', 'viewer')).toMatchObject({ ok: true });
    expect(removeUser(list, 'nobody')).toMatchObject({ ok: false, error: /no user/ });
  });

  it('a reset sets mustChange, an own change clears it', () => {
    const reset = resetUser(list, 'bob', 'new');
    expect(reset.ok && reset.value[1]).toMatchObject({ hash: 'new', mustChange: true });
    if (!reset.ok) return;
    const own = changeOwnPassword(reset.value, 'bob', 'mine');
    expect(own.ok && own.value[1]).toMatchObject({ hash: 'mine', mustChange: false });
  });

  it('passwords: 10 to 256 characters, not the old one, not the initial one', () => {
    expect(passwordProblem('short')).toMatch(/10 to 256/);
    expect(passwordProblem('x'.repeat(257))).toMatch(/10 to 256/);
    expect(passwordProblem('long enough pw', { old: 'long enough pw' })).toMatch(/old/);
    expect(passwordProblem('ABCD-EFGH-IJKL-MNOP', { initial: 'ABCD-EFGH-IJKL-MNOP' })).toMatch(/initial/);
    expect(passwordProblem('long enough pw', { old: 'other', initial: 'ABCD' })).toBeNull();
  });

  it('the public view has no hashes', () => {
    expect(JSON.stringify(publicView(list))).not.toContain('h-');
  });
});
