import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../hal/clock/clock.ts';
import type { TandemConfig } from '../../../firmware/config/schema.ts';
import { defaultConfig } from '../../../firmware/config/validate.ts';
import { mergeOnto } from '../../../firmware/config/settings-diff.ts';
import { initialPassword } from '../../../firmware/users/initial.ts';
import { SECOND_CONTROLLER_WAIT_MS, WebFirstStart } from '../../../firmware/users/first-start.ts';

function fixture(first: boolean, start: TandemConfig = defaultConfig()) {
  let config = start;
  const listeners: ((c: TandemConfig) => void)[] = [];
  const timers: { ms: number; fn: () => void }[] = [];
  const consoleText: string[] = [];
  const logs: string[] = [];
  const origins: string[] = [];
  const clock = {
    after: (ms: number, fn: () => void) => (timers.push({ ms, fn }), { cancel: () => undefined }),
  };
  const ext = new WebFirstStart({
    config: {
      current: () => structuredClone(config),
      importText: (text, origin) => {
        origins.push(origin);
        config = mergeOnto(config, JSON.parse(text)) as TandemConfig;
        for (const l of listeners) l(config);
        return Promise.resolve({ ok: true as const });
      },
      onLiveChange: (l) => listeners.push(l),
    },
    first,
    clock: clock as unknown as Clock,
    consolePath: '/dev/console',
    log: (_s, code) => logs.push(code),
    writeConsole: (t) => (consoleText.push(t), Promise.resolve()),
  });
  return { ext, timers, consoleText, logs, origins, config: () => config };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('web first start', () => {
  it('the first controller makes web.secret at once and writes the initial password to the console, not the log', async () => {
    const f = fixture(true);
    await f.ext.start();
    await settle();
    const secret = f.config().web.secret;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(f.origins).toEqual(['first start: web secret made']);
    expect(f.consoleText.join('')).toContain(initialPassword(secret!));
    expect(f.logs).toEqual(['WEB_INITIAL_PASSWORD_SHOWN']);
  });

  it('the second controller waits for the peer’s secret, and makes one only if none came', async () => {
    const f = fixture(false);
    await f.ext.start();
    await settle();
    expect(f.config().web.secret).toBeUndefined();
    expect(f.timers.map((t) => t.ms)).toEqual([SECOND_CONTROLLER_WAIT_MS]);
    f.timers[0]!.fn();
    await settle();
    expect(f.config().web.secret).toMatch(/^[0-9a-f]{64}$/);
  });

  it('says nothing and makes nothing once a user is set up and the secret exists', async () => {
    const c = defaultConfig();
    c.web.secret = 'cd'.repeat(32);
    c.web.users = [{ name: 'admin', role: 'admin', hash: 'x', mustChange: false }];
    const quiet = fixture(true, c);
    await quiet.ext.start();
    await settle();
    expect(quiet.consoleText).toEqual([]);
    expect(quiet.origins).toEqual([]);
  });
});
