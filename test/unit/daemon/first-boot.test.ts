// The first boot of the real daemon (firmware/daemon.ts as a child process,
// with every path under a temporary directory): a bad identity file stops it
// (exit 2, named on stderr and in the log); with an identity and no config it
// waits unconfigured, prints the initial admin password and the certificate's
// fingerprint on the console (never into the log), refuses what needs a
// running controller, and an import of its box's config starts the
// controller in the same process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../firmware/console/tandemctl.ts';
import { initialPassword } from '../../../firmware/users/initial.ts';
import { capturedIo } from '../console/captured-io.ts';

const DAEMON = join(import.meta.dirname, '../../../firmware/daemon.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let child: ChildProcess | undefined;
let out = '';

const env = () => ({
  PATH: process.env['PATH'] ?? '',
  TANDEM_STATE_DIR: join(dir, 'state'),
  TANDEM_CONFIG_FILE: join(dir, 'etc', 'tandem.json'),
  TANDEM_IDENTITY_FILE: join(dir, 'etc', 'identity.json'),
  TANDEM_CONSOLE: join(dir, 'console'),
  TANDEM_RUN_DIR: join(dir, 'run'),
  TANDEM_CONTROL_SOCKET: join(dir, 'run', 'tandemctl.sock'),
  TANDEM_SERIAL_TTY: join(dir, 'no-tty'),
  TANDEM_WATCHDOG_DEV: join(dir, 'no-watchdog'),
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-first-boot-'));
  spawnSync('mkdir', ['-p', join(dir, 'etc')]);
  out = '';
});
afterEach(async () => {
  if (child !== undefined && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child?.once('exit', r));
  }
  child = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function identity(text: string): void {
  writeFileSync(join(dir, 'etc', 'identity.json'), text);
}

function codes(): string[] {
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => (JSON.parse(l) as { code?: string }).code ?? '');
}

async function until(what: string, test: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`no ${what} within ${ms} ms:\n${out.slice(-3000)}`);
    await sleep(50);
  }
}

async function ctl(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capturedIo();
  const code = await main(['--socket', join(dir, 'run', 'tandemctl.sock'), ...argv], io);
  return { code, out: io.stdout.join(''), err: io.stderr.join('') };
}

describe('daemon first boot', () => {
  it('exits 2 on a bad identity file, saying what is wrong', () => {
    identity('{"controller":"C","box":"box-7"}');
    const r = spawnSync(process.execPath, [DAEMON], { env: env(), encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/identity\.json: controller must be "A" or "B", got "C"/);
    expect(r.stdout).toMatch(/"code":"IDENTITY_INVALID"/);
  });

  it('waits unconfigured, shows its secrets on the console only, and starts on an import', async () => {
    identity('{"controller":"A","box":"box-7"}');
    child = spawn(process.execPath, [DAEMON], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (out += c));
    await until('first boot shown', () => codes().includes('FIRST_BOOT_SHOWN'));
    await until('root password notice', () => codes().includes('ROOT_PASSWORD_NOT_SET'));
    expect(codes()).not.toContain('CONFIG_FALLBACK');

    // The secret: stored 0600 in the state directory; its password on the console, not in the log.
    const secretFile = join(dir, 'state', 'web-secret.json');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const secret = (JSON.parse(readFileSync(secretFile, 'utf8')) as { secret: string }).secret;
    const password = initialPassword(secret);
    const consoleText = readFileSync(join(dir, 'console'), 'utf8');
    expect(consoleText).toContain(`log in as admin with the initial password ${password}`);
    expect(out).not.toContain(password);
    expect(out).not.toContain(secret);
    // The certificate the web process will reuse, and its fingerprint on the console.
    const cert = readFileSync(join(dir, 'state', 'web', 'cert.pem'), 'utf8');
    expect(consoleText).toContain(`web certificate SHA-256: ${new X509Certificate(cert).fingerprint256}`);
    expect(consoleText).toMatch(/root password: left as it is \(not on the image/);

    const status = await ctl('--json', 'status');
    expect(status.code).toBe(0);
    expect((JSON.parse(status.out) as { data: unknown }).data).toMatchObject({
      state: 'unconfigured',
      controller: 'A',
      boxId: 'box-7',
    });
    const refused = await ctl('cleanup');
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain(
      'controller A is unconfigured: import a config first (tandemctl config import FILE)',
    );

    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ box: { id: 'box-9' } }));
    const refusedImport = await ctl('config', 'import', wrong);
    expect(refusedImport.code).not.toBe(0);
    expect(refusedImport.err).toMatch(/is "box-9", but this controller belongs to box "box-7"/);
    expect(existsSync(join(dir, 'etc', 'tandem.json'))).toBe(false);

    const good = join(dir, 'good.json');
    writeFileSync(
      good,
      JSON.stringify({
        box: { id: 'box-7' },
        cluster: {
          serial: { enabled: false },
          disk: { transport: 'sg', sgDevice: '/dev/tandem-first-boot-no-such-sg' },
        },
        failover: { watchdog: { enabled: false } },
      }),
    );
    const imported = await ctl('config', 'import', good);
    expect(imported.code, imported.err).toBe(0);
    await until('the controller started', () => codes().includes('HEARTBEAT_STARTED'));
    expect(codes()).toContain('DAEMON_CONFIGURED');
    const stored = JSON.parse(readFileSync(join(dir, 'etc', 'tandem.json'), 'utf8')) as {
      web: { secret?: string };
    };
    expect(stored.web.secret).toBe(secret);
    await until('the new control socket', () => existsSync(join(dir, 'run', 'tandemctl.sock')));
    let after = await ctl('--json', 'status');
    for (let i = 0; i < 40 && after.code !== 0; i++) {
      await sleep(50);
      after = await ctl('--json', 'status');
    }
    const report = (
      JSON.parse(after.out) as { data: { state: string; controller: string; configVersion: number } }
    ).data;
    expect(report.state).not.toBe('unconfigured');
    expect(report).toMatchObject({ controller: 'A', configVersion: 1 });
    // WebFirstStart (web.enabled is off here) printed nothing more; the console has one password.
    expect(readFileSync(join(dir, 'console'), 'utf8').split(password)).toHaveLength(2);
  }, 60_000);

  it('without an identity file runs on the embedded defaults, as before', async () => {
    child = spawn(process.execPath, [DAEMON], {
      env: { ...env(), TANDEM_CONTROLLER_ID: 'A' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
    await until('the fallback', () => codes().includes('CONFIG_FALLBACK'));
    expect(codes()).not.toContain('DAEMON_UNCONFIGURED');
  }, 30_000);
});
