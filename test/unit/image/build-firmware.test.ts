// `npm run build` into a temporary directory: the staged tree runs on Node
// 22 with no TypeScript in it, ships no devDependency, and carries the init
// scripts, links and web client both image builders expect (docs/image.md).
import { execFile, spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heartbeatCostConfig } from '../../../tools/bench/_heartbeat-cost-config.ts';
import { freePorts } from '../../../tools/bench/_web-process.ts';
import { buildFirmware } from '../../../tools/image/build-firmware.ts';
import { imageNodeArgs } from '../../../tools/lab/configs/daemons.ts';
import { INIT_SCRIPTS, STAGED_LINKS } from '../../../tools/image/firmware/system-files.ts';
import { typescriptFiles } from '../../../tools/image/firmware/typescript-files.ts';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'tandem-build-'));
const root = join(work, 'firmware-root');
const app = join(root, 'opt', 'tandem');
const LAB_A_CONFIG = new URL('../../../tools/lab/configs/a.json', import.meta.url).pathname;

/**
 * The built `entry` run with node `args` (the image's) until its output
 * shows `until`, then killed; fails with the output's tail when it exits
 * first or takes over 20 s. Returns the output.
 */
async function runUntil(
  entry: 'firmware/daemon' | 'firmware/web/main',
  args: readonly string[],
  o: { env: NodeJS.ProcessEnv; until: string },
): Promise<string> {
  const child = spawn(process.execPath, [...args, join(app, `${entry}.js`)], {
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const end = Date.now() + 20_000;
    while (!out.includes(o.until)) {
      if (child.exitCode !== null || Date.now() > end)
        throw new Error(`${entry}: no ${o.until} (exit ${child.exitCode}):\n${out.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0')).toEqual(
      expect.arrayContaining([...args]),
    );
    return out;
  } finally {
    child.kill('SIGKILL');
  }
}

beforeAll(async () => {
  // tsc emits the whole firmware: some 20 s on a loaded machine.
  await buildFirmware({ out: root, arch: 'x64', log: () => undefined });
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run build', () => {
  it('runs tandemctl from the emitted JavaScript on Node 22, with no .ts file in the tree', async () => {
    expect(process.versions.node.startsWith('22.')).toBe(true);
    expect(typescriptFiles(root)).toEqual([]);
    const { stdout } = await run(
      process.execPath,
      [join(app, 'firmware', 'console', 'tandemctl.js'), '--help'],
      {
        cwd: work,
      },
    );
    expect(stdout).toContain('usage: tandemctl');
  }, 30_000);

  it('checks a config with the generated validators, loading no Ajv', async () => {
    // The box runs firmware/config/checks.generated.ts as emitted: Ajv compiled it ahead of time.
    const script = [
      `import { createRequire } from 'node:module';`,
      `const { validateConfig } = await import(${JSON.stringify(join(app, 'firmware', 'config', 'validate.js'))});`,
      `const r = validateConfig({ cluster: { heartbeat: { intervalMs: 'x' } }, bogus: 1 });`,
      `const ajv = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('/ajv/'));`,
      `console.log(JSON.stringify({ r, ajv }));`,
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({
      r: {
        ok: false,
        errors: [
          { path: '/bogus', message: 'is not a known setting (misspelt?)' },
          { path: '/cluster/heartbeat/intervalMs', message: 'must be integer' },
        ],
      },
      ajv: [],
    });
  }, 30_000);

  // TypeBox builds the schemas and is some 200 modules and 14 MB: only the
  // daemon loads it at start (docs/footprint.md). Each entry is imported as
  // the box starts it, with a load hook listing every module, and stopped by
  // its own main right after its imports (the panel by an unknown argument,
  // the web process by the scratch sysroot's missing config).
  it.each([
    ['panel/main.js', ['--no-such-option']],
    ['web/main.js', []],
  ])(
    'starts %s without loading TypeBox',
    async (entry, args) => {
      const script = [
        `import { registerHooks } from 'node:module';`,
        `const loaded = [];`,
        `registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });`,
        `process.on('exit', () => console.log(JSON.stringify(loaded)));`,
        `process.argv.splice(1, Infinity, ...${JSON.stringify([join(app, 'firmware', entry), ...args])});`,
        `await import(${JSON.stringify(pathToFileURL(join(app, 'firmware', entry)).href)});`,
      ].join('\n');
      const sysroot = mkdtempSync(join(work, 'sysroot-'));
      const env: NodeJS.ProcessEnv = { ...process.env, TANDEM_SYSROOT: sysroot };
      delete env['TANDEM_CONTROLLER_ID'];
      const out = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app, env }).catch(
        (err: { stdout: string }) => err,
      );
      const loaded = JSON.parse(out.stdout) as string[];
      expect(loaded.filter((u) => u.includes('/firmware/')).length).toBeGreaterThan(20);
      expect(loaded.filter((u) => u.includes('/@sinclair/typebox/'))).toEqual([]);
    },
    30_000,
  );

  // The image starts the daemon with S95tandemd's node options (--lite-mode:
  // no compiler, no WebAssembly). Run on loopback as the heartbeat-cost
  // bench runs it: a plain lab config, the private link between 127.0.0.1
  // and 127.0.0.2 on a port of its own, no disk, group, MQTT or watchdog.
  it("runs the daemon to its first heartbeat with the image's node options", async () => {
    const args = imageNodeArgs('firmware/daemon');
    expect(args).toContain('--lite-mode');
    const sysroot = mkdtempSync(join(work, 'hb-root-'));
    for (const d of ['etc/tandem', 'run/tandem', 'var/lib/tandem', 'var/run', 'dev'])
      mkdirSync(join(sysroot, d), { recursive: true });
    const base = JSON.parse(readFileSync(LAB_A_CONFIG, 'utf8')) as Record<string, unknown>;
    const config = heartbeatCostConfig(base, 'A', { intervalMs: 50, warntimeMs: 300, deadtimeMs: 500 });
    ((config['cluster'] as Record<string, unknown>)['network'] as Record<string, unknown>)['port'] =
      30_000 + (process.pid % 20_000);
    writeFileSync(join(sysroot, 'etc/tandem/tandem.json'), JSON.stringify(config));
    await runUntil('firmware/daemon', args, {
      env: {
        TANDEM_SYSROOT: sysroot,
        TANDEM_CONTROLLER_ID: 'A',
        TANDEM_REALTIME: 'off',
        TANDEM_SERIAL_TTY: join(sysroot, 'no-tty'),
      },
      until: '"HEARTBEAT_STARTED"',
    });
  }, 30_000);

  // S97tandem-web starts the web process with --lite-mode too: no
  // WebAssembly, so nothing it loads may reach undici (an ESM import of
  // node:http did, through http.WebSocket: firmware/web/main.ts).
  it("serves the web panel with the image's node options", async () => {
    const args = imageNodeArgs('firmware/web/main');
    expect(args).toContain('--lite-mode');
    const sysroot = mkdtempSync(join(work, 'web-root-'));
    for (const d of ['etc/tandem', 'run/tandem', 'var/lib/tandem', 'var/run'])
      mkdirSync(join(sysroot, d), { recursive: true });
    const [port, httpPort] = await freePorts(2);
    const config = { box: { id: 'build-test' }, web: { enabled: true, port, httpPort } };
    writeFileSync(join(sysroot, 'etc/tandem/tandem.json'), JSON.stringify(config));
    const out = await runUntil('firmware/web/main', args, {
      env: { TANDEM_SYSROOT: sysroot, TANDEM_CONTROLLER_ID: 'A' },
      until: `listening on https port ${port}`,
    });
    expect(out).not.toMatch(/WebAssembly|undici/);
  }, 30_000);

  it('has each entry point and the client prebuilt, and what Node needs to load them', () => {
    for (const entry of ['daemon.js', 'panel/main.js', 'web/main.js', 'console/tandemctl.js']) {
      expect(existsSync(join(app, 'firmware', entry)), entry).toBe(true);
    }
    expect(existsSync(join(app, 'firmware', 'web', 'client', 'app.js'))).toBe(true);
    expect(existsSync(join(app, 'firmware', 'web', 'client', 'index.html'))).toBe(true);
    expect(readFileSync(join(app, 'firmware', 'daemon.js'), 'utf8')).not.toMatch(/from '\.{1,2}\/[^']*\.ts'/);
    const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg['type']).toBe('module');
    expect(pkg['devDependencies']).toBeUndefined();
    expect(Object.keys(pkg['dependencies'] as object)).toContain('koffi');
  });

  it('ships the production packages only, with the linux-x64 native addons', () => {
    const modules = join(app, 'node_modules');
    for (const dep of ['fastify', 'mqtt', 'koffi', '@serialport/stream', '@koromix/koffi-linux-x64']) {
      expect(existsSync(join(modules, dep)), dep).toBe(true);
    }
    for (const dev of ['typescript', 'vitest', 'eslint', 'pg', 'playwright-core', 'rolldown', 'node']) {
      expect(existsSync(join(modules, dev)), dev).toBe(false);
    }
    expect(existsSync(join(modules, '@serialport', 'bindings-cpp', 'prebuilds', 'linux-x64'))).toBe(true);
    expect(existsSync(join(modules, '@serialport', 'bindings-cpp', 'prebuilds', 'win32-x64'))).toBe(false);
  });

  it('lays out tandemctl, the init scripts, inittab and the links to the data partition', () => {
    expect(lstatSync(join(root, 'usr', 'bin', 'tandemctl')).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(root, 'usr', 'bin', 'tandemctl'), 'utf8')).toContain(
      'exec /usr/bin/node /opt/tandem/firmware/console/tandemctl.js "$@"',
    );
    expect(lstatSync(join(root, 'usr', 'sbin', 'tandem-login')).mode & 0o777).toBe(0o755);
    for (const s of [...INIT_SCRIPTS, 'rcS', 'rcK']) {
      expect(lstatSync(join(root, 'etc', 'init.d', s)).mode & 0o777, s).toBe(0o755);
    }
    expect(readFileSync(join(root, 'etc', 'inittab'), 'utf8')).toContain('::sysinit:/etc/init.d/rcS');
    for (const f of ['etc/mosquitto/tandem.conf', 'etc/mosquitto/tandem.acl', 'etc/rauc/system.conf']) {
      expect(existsSync(join(root, f)), f).toBe(true);
    }
    for (const l of STAGED_LINKS) expect(readlinkSync(join(root, l.at))).toBe(l.target);
  });
});
