// The control socket server on a temp path, driven by raw sockets and by
// tandemctl's own main(), against the stand-in box.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlSocketServer } from '../../../firmware/console/server.ts';
import { main } from '../../../firmware/console/tandemctl.ts';
import { capturedIo } from './captured-io.ts';
import { TelemetryBox } from '../../lab/fixtures/telemetry-box.ts';

function rawExchange(path: string, data: string, lines = 1): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (c: string) => {
      buf += c;
      const got = buf.split('\n').filter((l) => l !== '');
      if (got.length >= lines) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('close', () => resolve(buf.split('\n').filter((l) => l !== '')));
    s.on('error', reject);
    s.write(data);
  });
}

describe('control socket server', () => {
  let dir: string;
  let sock: string;
  let box: TelemetryBox;
  let server: ControlSocketServer;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tandemctl-'));
    sock = join(dir, 'run', 'tandemctl.sock');
    box = new TelemetryBox({ boxId: 'box1', controller: 'A' });
    server = new ControlSocketServer({ socketPath: sock, commandHandler: box });
    await server.start();
  });
  afterEach(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is a 0600 socket in a 0700 directory', () => {
    expect(statSync(sock).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'run')).mode & 0o777).toBe(0o700);
  });

  it('answers a request line with the same transaction', async () => {
    const [line] = await rawExchange(
      sock,
      JSON.stringify({ command: 'groups', args: {}, transaction: 't1' }) + '\n',
    );
    expect(JSON.parse(line ?? '')).toMatchObject({ status: 'ok', transaction: 't1', data: [{ name: 'db' }] });
  });

  it('refuses bad JSON, unknown commands and wrong arg types, and changes nothing', async () => {
    const lines = await rawExchange(
      sock,
      [
        '{nope',
        '{"command":"reboot","args":{},"transaction":"t2"}',
        '{"command":"maintenance","args":{"on":"yes"},"transaction":"t3"}',
        '',
      ].join('\n'),
      3,
    );
    const replies = lines.map((l) => JSON.parse(l) as { status: string; error: string; transaction: string });
    expect(replies.every((r) => r.status === 'error')).toBe(true);
    const errors = replies.map((r) => r.error);
    expect(errors.some((e) => e.startsWith('request: not valid JSON'))).toBe(true);
    expect(errors.some((e) => e.startsWith('command: unknown command "reboot"'))).toBe(true);
    expect(errors).toContain('args.on: must be true or false');
    expect(replies.find((r) => r.error.startsWith('args.on'))?.transaction).toBe('t3');
    expect(box.handled).toEqual([]);
    expect(box.current().state).toBe('active');
  });

  it('refuses what the socket role does not allow, before the handler', async () => {
    const viewerSock = join(dir, 'run', 'viewer.sock');
    const viewer = new ControlSocketServer({ socketPath: viewerSock, commandHandler: box, role: 'viewer' });
    await viewer.start();
    try {
      const [line] = await rawExchange(
        viewerSock,
        JSON.stringify({ command: 'maintenance', args: { on: true }, transaction: 't4' }) + '\n',
      );
      expect(JSON.parse(line ?? '')).toEqual({
        status: 'error',
        data: null,
        error: 'role: maintenance needs the operator role; this request has viewer',
        transaction: 't4',
      });
      expect(box.handled).toEqual([]);
    } finally {
      await viewer.stop();
    }
  });

  it('drops a client that sends an oversize line and keeps serving others', async () => {
    const lines = await rawExchange(sock, 'x'.repeat(600 * 1024));
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/over the .*limit/) as unknown,
    });
    const io = capturedIo(() => Date.now());
    expect(await main(['--socket', sock, 'status'], io)).toBe(0);
  });

  it('survives a client that vanishes mid-request', async () => {
    const s = createConnection(sock);
    await new Promise((r) => s.on('connect', r));
    s.write('{"command":"status","args":{},"transaction":"gone"}\n');
    s.destroy();
    const io = capturedIo(() => Date.now());
    expect(await main(['--socket', sock, '--json', 'status'], io)).toBe(0);
  });

  it('tandemctl prints tables, --json, and uses exit codes 0/1/2/3', async () => {
    let io = capturedIo(() => Date.now());
    expect(await main(['--socket', sock, 'groups'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/^GROUP\s+PREFERRED\s+OWNER\s+STATE\n db|^GROUP/);
    expect(io.stdout.join('\n')).not.toContain('\u001b');

    io = capturedIo(() => Date.now());
    expect(await main(['--socket', sock, '--json', 'maintenance', 'on'], io)).toBe(0);
    expect(JSON.parse(io.stdout.join('\n'))).toMatchObject({ status: 'ok', data: { state: 'maintenance' } });
    expect(box.current().state).toBe('maintenance');

    io = capturedIo(() => Date.now());
    expect(await main(['--socket', sock, 'pr'], io)).toBe(1);
    expect(io.stderr.join('\n')).toBe('tandemctl: pr: pr: not supported by the test box');

    io = capturedIo(() => Date.now());
    expect(await main(['--socket', sock, 'maintenance'], io)).toBe(2);
    expect(io.stderr[0]).toMatch(/^tandemctl: on\|off:/);

    io = capturedIo(() => Date.now());
    expect(await main(['--socket', join(dir, 'absent.sock'), 'status'], io)).toBe(3);
    expect(io.stderr[0]).toMatch(/cannot reach the daemon .*ENOENT/);
  });

  it('config import reads FILE and sends its text; an unreadable FILE is a usage error', async () => {
    const file = join(dir, 'c.json');
    writeFileSync(file, '{"configVersion":3}');
    let io = capturedIo(() => Date.now());
    expect(await main(['--socket', sock, 'config', 'validate', file], io)).toBe(1);
    expect(box.handled.at(-1)).toMatchObject({
      command: 'config-validate',
      args: { text: '{"configVersion":3}' },
    });
    io = capturedIo(() => Date.now());
    expect(await main(['--socket', sock, 'config', 'import', join(dir, 'none.json')], io)).toBe(2);
    expect(io.stderr[0]).toMatch(/^tandemctl: FILE: cannot read/);
    expect(readFileSync(file, 'utf8')).toBe('{"configVersion":3}');
  });
});
