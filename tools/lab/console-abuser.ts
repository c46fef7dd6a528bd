// A local script that abuses a control socket, as a careless or hostile user
// on the controller might: over-long lines, floods of requests whose replies
// it never reads, garbage (deep JSON, terminal escapes), idle connections
// that hold slots, and a connect/close storm, from many connections at once.
// Used by the control-socket unit test (a few seconds) and the lab's
// console-abuse test (a minute against the real daemon under load).
//
//   node tools/lab/console-abuser.ts SOCKET DURATION_MS [CONNECTIONS]
//
// Prints one JSON line of counts when it is done; exits 0.
import { createConnection, type Socket } from 'node:net';

type Kind = 'long-line' | 'unread-flood' | 'garbage' | 'storm' | 'idle';
const KINDS: readonly Kind[] = ['long-line', 'unread-flood', 'garbage', 'storm', 'idle'];

const big = Buffer.alloc(256 * 1024, 0x7b);
const request = Buffer.from(JSON.stringify({ command: 'status', args: {}, transaction: 'x' }) + '\n');
const garbage = Buffer.from('{"args":' + '['.repeat(5000) + '\n' + '\u001b[2J\n'.repeat(100));

export interface AbuseCounts {
  readonly connections: number;
  readonly closedByServer: number;
  readonly bytesWritten: number;
}

export function abuse(path: string, durationMs: number, connections = 24): Promise<AbuseCounts> {
  const end = Date.now() + durationMs;
  let opened = 0;
  let closedByServer = 0;
  let bytesWritten = 0;
  const live = new Set<Socket>();
  const write = (s: Socket, b: Buffer) => {
    s.write(b);
    bytesWritten += b.length;
  };
  const open = (kind: Kind): void => {
    if (Date.now() > end) return;
    const s = createConnection(path);
    opened++;
    live.add(s);
    let weClosed = false;
    s.on('error', () => undefined);
    s.on('close', () => {
      live.delete(s);
      if (!weClosed) closedByServer++;
      setTimeout(() => open(kind), 5);
    });
    s.on('connect', () => {
      if (kind === 'idle') return; // holds a slot until the server lets it go
      if (kind === 'unread-flood') s.pause(); // never reads a reply
      const t = setInterval(() => {
        if (Date.now() > end || s.destroyed) {
          clearInterval(t);
          weClosed = true;
          s.destroy();
          return;
        }
        switch (kind) {
          case 'long-line':
            return write(s, big);
          case 'unread-flood':
            return write(s, request);
          case 'garbage':
            return write(s, garbage);
          case 'storm':
            weClosed = true;
            s.destroy();
            return;
        }
      }, 1);
    });
  };
  for (let i = 0; i < connections; i++) open(KINDS[i % KINDS.length] ?? 'storm');
  return new Promise((resolve) =>
    setTimeout(() => {
      for (const s of live) s.destroy();
      resolve({ connections: opened, closedByServer, bytesWritten });
    }, durationMs + 100),
  );
}

if (import.meta.main) {
  const [path, duration, count] = process.argv.slice(2);
  const ms = Number(duration);
  if (path === undefined || !Number.isInteger(ms) || ms <= 0) {
    process.stderr.write('usage: console-abuser.ts SOCKET DURATION_MS [CONNECTIONS]\n');
    process.exit(2);
  }
  const counts = await abuse(path, ms, count === undefined ? 24 : Number(count));
  process.stdout.write(JSON.stringify(counts) + '\n');
  process.exit(0);
}
