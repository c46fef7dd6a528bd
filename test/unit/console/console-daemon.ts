// A daemon for the serial console's tests: web.sock served by the real
// socket server and on-behalf code over the registry, a real ConfigManager
// holding the web users (and the box's web secret), and the events it
// appends kept in order. Plus streams standing in for the serial line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { RegistryCommands } from '../../../firmware/commands/dispatch.ts';
import { ConfigManager } from '../../../firmware/config/config-manager.ts';
import { ControlSocketServer } from '../../../firmware/console/server.ts';
import type { EventInput, LoggedEvent } from '../../../firmware/events/types.ts';
import { initialPassword } from '../../../firmware/users/initial.ts';
import { hashPassword } from '../../../firmware/users/password.ts';
import { fakeContext, fakeHost, type FakeHost } from '../commands/fake-context.ts';

export const SECRET = '5a'.repeat(32);
export const INITIAL = initialPassword(SECRET);

export interface ConsoleDaemon {
  readonly dir: string;
  readonly socket: string;
  readonly host: FakeHost;
  readonly events: EventInput[];
  readonly config: ConfigManager;
  /** Adds a web user with a password they need not change. */
  addUser(name: string, role: 'viewer' | 'operator' | 'admin', password: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startConsoleDaemon(): Promise<ConsoleDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'console-'));
  const events: EventInput[] = [];
  const sink = {
    append: (e: EventInput): LoggedEvent => {
      events.push(e);
      return { ...e, id: events.length, ts: 0, monoMs: 0, data: e.data ?? null };
    },
  };
  const config = new ConfigManager({
    path: join(dir, 'tandem.json'),
    lastGoodPath: join(dir, 'last-good.json'),
    events: sink,
  });
  await config.load();
  await config.importText(JSON.stringify({ web: { secret: SECRET } }), 'test', { merge: true });
  const host = fakeHost();
  const commands = new RegistryCommands({
    ...fakeContext(host),
    config,
    events: { query: () => [], append: (e) => sink.append(e) },
  });
  const socket = join(dir, 'run', 'web.sock');
  // As the daemon serves web.sock (controller/web-surface.ts).
  const server = new ControlSocketServer({
    socketPath: socket,
    commandHandler: commands.with({ webChannel: true }),
    role: 'admin',
    onBehalf: {
      handlerFor: (as) =>
        commands.with({
          webChannel: true,
          defaultActor: as === null ? 'web' : `${as.user}@${as.address} (web)`,
          ...(as === null ? {} : { onBehalf: as }),
        }),
      audit: (e) => events.push(e),
    },
  });
  await server.start();
  return {
    dir,
    socket,
    host,
    events,
    config,
    addUser: async (name, role, password) => {
      const users = [
        ...config.current().web.users,
        { name, role, hash: await hashPassword(password), mustChange: false },
      ];
      const r = await config.importText(JSON.stringify({ web: { users } }), 'test', { merge: true });
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
    },
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The serial line: what the test types, and everything the program wrote. */
export function serialLine(): {
  input: PassThrough;
  output: PassThrough;
  text: () => string;
  type: (line: string) => void;
  waitFor: (needle: string | RegExp, after?: number) => Promise<number>;
} {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return {
    input,
    output,
    text: () => text,
    type: (line) => input.write(`${line}\n`),
    /** Resolves with the end of the first match after offset `after`. */
    waitFor: async (needle, after = 0) => {
      for (let i = 0; i < 500; i++) {
        const rest = text.slice(after);
        const at = typeof needle === 'string' ? rest.indexOf(needle) : rest.search(needle);
        if (at >= 0) return after + at + (typeof needle === 'string' ? needle.length : 1);
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`not seen: ${String(needle)}\n--- output ---\n${text}`);
    },
  };
}
