// Passwords never on tandemctl's command line, where `ps` shows them: the
// registry names them as secrets, tandemctl reads each from standard input
// (one line; without echo on a terminal) and sends it in the request.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../firmware/console/cli-args.ts';
import { main } from '../../../firmware/console/tandemctl.ts';
import { capturedIo } from './captured-io.ts';

const TANDEMCTL = join(import.meta.dirname, '../../../firmware/console/tandemctl.ts');

describe('secret arguments', () => {
  it('are not words of the command line', () => {
    expect(parseArgs(['web', 'user-add', 'olga', 'operator'], 0)).toMatchObject({
      command: 'user-add',
      args: { name: 'olga', role: 'operator' },
      secrets: [{ arg: 'password', metavar: 'PASSWORD' }],
    });
    expect(parseArgs(['web', 'user-add', 'olga', 'operator', 'hunter2hunter2'], 0)).toEqual({
      kind: 'usage',
      message: 'hunter2hunter2: unexpected argument to web user-add',
    });
  });

  it('missing on standard input: refused before anything is sent', async () => {
    const io = { ...capturedIo(), readSecret: () => Promise.resolve(null) };
    const code = await main(['--socket', '/nonexistent/sock', 'web', 'user-reset', 'olga'], io);
    expect(code).toBe(2);
    expect(io.stderr).toEqual([
      'tandemctl: PASSWORD: missing on standard input (one line each; never on the command line)',
    ]);
  });

  it('piped in, one line each, they reach the daemon in the request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-secrets-'));
    const socketPath = join(dir, 'ctl.sock');
    const seen: unknown[] = [];
    const server = createServer((c) => {
      c.once('data', (b: Buffer) => {
        const req = JSON.parse(b.toString('utf8').trim()) as { transaction: string };
        seen.push(req);
        c.end(
          JSON.stringify({
            status: 'ok',
            data: { name: 'olga', changed: true },
            error: null,
            transaction: req.transaction,
          }) + '\n',
        );
      });
    });
    await new Promise<void>((r) => server.listen(socketPath, r));
    try {
      const child = spawn(
        process.execPath,
        [TANDEMCTL, '--socket', socketPath, '--json', 'web', 'password', 'olga'],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      child.stdin.end('the old one 1\nthe new one 22\n');
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      expect(code).toBe(0);
      expect(seen).toMatchObject([
        { command: 'password-change', args: { name: 'olga', old: 'the old one 1', new: 'the new one 22' } },
      ]);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
