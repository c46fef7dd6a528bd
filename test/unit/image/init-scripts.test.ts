// The init scripts' own logic, run by this machine's sh with `ip` and
// `udhcpc` replaced by stand-ins that print what they were asked: what
// /etc/tandem/network says is applied only when the line is exactly right.
// And the local broker's config agrees with the firmware's packet limit, and
// the daemon starts with the node options the lab reads from its script.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../../firmware/core/limits.ts';
import { imageNodeArgs } from '../../../tools/lab/configs/daemons.ts';

const run = promisify(execFile);
const PKG = new URL('../../../buildroot/package/tandem/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'tandem-init-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

for (const tool of ['ip', 'udhcpc']) {
  writeFileSync(join(work, tool), `#!/bin/sh\necho "${tool} $*"\n`);
  chmodSync(join(work, tool), 0o755);
}

/** S10tandem-network ACTION over `network`; its output and exit code. */
async function network(action: string, text: string): Promise<{ out: string; code: number }> {
  const file = join(work, 'network');
  writeFileSync(file, text);
  const script = readFileSync(join(PKG, 'S10tandem-network'), 'utf8').replace(
    /^NETWORK=.*$/m,
    `NETWORK="${file}"`,
  );
  writeFileSync(join(work, 'S10'), script);
  try {
    const { stdout } = await run('sh', [join(work, 'S10'), action], {
      env: { PATH: `${work}:/usr/bin:/bin` },
    });
    return { out: stdout, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; code: number };
    return { out: e.stdout, code: e.code };
  }
}

describe('S10tandem-network', () => {
  it('brings up lo and applies each well-formed line', async () => {
    const r = await network('start', '# LAN\neth0 198.18.2.11/24\n  eth1   dhcp  \n\npriv0 198.18.1.1/24\n');
    expect(r.code).toBe(0);
    expect(
      r.out
        .replace(/^Starting tandem-network: /, '')
        .split('\n')
        .filter((l) => l.startsWith('ip ') || l.startsWith('udhcpc ')),
    ).toEqual([
      'ip link set dev lo up',
      'ip link set dev eth0 up',
      'ip addr replace 198.18.2.11/24 dev eth0',
      'ip link set dev eth1 up',
      'udhcpc -b -S -i eth1 -p /var/run/udhcpc.eth1.pid',
      'ip link set dev priv0 up',
      'ip addr replace 198.18.1.1/24 dev priv0',
    ]);
  });

  it('reports and skips a malformed line, applies the rest and fails', async () => {
    const bad = [
      'eth0 198.18.2.256/24',
      'eth0 01.2.3.4/24',
      'eth0 1.2.3.4/33',
      'eth0 1.2.3/24',
      'eth0 1.2.3.4./24',
      'eth0 1.2.3.4',
      'eth0 1.2.3.4/24 extra',
      'eth/0 1.2.3.4/24',
      'averyveryverylongname 1.2.3.4/24',
      'eth0 dhcp6',
      'eth0',
    ];
    const r = await network('start', [...bad, 'eth1 10.0.0.1/8', ''].join('\n'));
    expect(r.code).not.toBe(0);
    for (let i = 1; i <= bad.length; i++) expect(r.out).toContain(`network:${i}: skipped`);
    expect(r.out).toContain('ip addr replace 10.0.0.1/8 dev eth1');
    expect(r.out.match(/ip addr replace/g)).toHaveLength(1);
  });

  it('takes the addresses away on stop', async () => {
    const r = await network('stop', 'eth0 198.18.2.11/24\n');
    expect(r.out).toContain('ip addr del 198.18.2.11/24 dev eth0');
  });
});

describe('the local broker', () => {
  it('listens on loopback only, with the firmware packet limit', () => {
    const conf = readFileSync(join(PKG, 'mosquitto-tandem.conf'), 'utf8');
    expect(conf).toMatch(/^listener 1883 127\.0\.0\.1$/m);
    expect(conf).toContain(`max_packet_size ${LIMITS.mqttPacketBytes}\n`);
  });
});

describe.each([
  ['S95tandemd', 'firmware/daemon', 'tandemd'],
  ['S96tandem-panel', 'firmware/panel/main', 'tandem-panel'],
  ['S97tandem-web', 'firmware/web/main', 'tandem-web'],
] as const)('%s', (script, entry, daemon) => {
  // start-stop-daemon replaced by a stand-in that runs what it was asked to
  // (the shell that execs node), and node by one that prints its arguments.
  it('starts node with its NODE_ARGS before the entry, its output to the log', async () => {
    writeFileSync(
      join(work, 'start-stop-daemon'),
      '#!/bin/sh\nwhile [ "$1" != "--" ]; do shift; done\nshift\nexec /bin/sh "$@"\n',
    );
    chmodSync(join(work, 'start-stop-daemon'), 0o755);
    writeFileSync(join(work, 'node'), '#!/bin/sh\necho "node $*"\n');
    chmodSync(join(work, 'node'), 0o755);
    const log = join(work, `${daemon}.log`);
    const text = readFileSync(join(PKG, script), 'utf8')
      .replace(/^NODE=.*$/m, `NODE="${join(work, 'node')}"`)
      .replace(/^PIDFILE=.*$/m, `PIDFILE="${join(work, `${daemon}.pid`)}"`)
      .replace(/^LOG=.*$/m, `LOG="${log}"`)
      .replace(/^\tmkdir -p \/run\/tandem$/m, '\t:');
    writeFileSync(join(work, script), text);
    const { stdout } = await run('sh', [join(work, script), 'start'], {
      env: { PATH: `${work}:/usr/bin:/bin` },
    });
    expect(stdout).toContain(`Starting ${daemon}: OK`);
    const argv = [...imageNodeArgs(entry), `/opt/tandem/${entry}.js`];
    expect(readFileSync(log, 'utf8')).toBe(`node ${argv.join(' ')}\n`);
  });
});

// V8's interpreter only for all three (docs/footprint.md); the build test
// runs the daemon and the web process with these options.
it.each([
  ['firmware/daemon', ['--lite-mode']],
  ['firmware/panel/main', ['--lite-mode']],
  ['firmware/web/main', ['--lite-mode']],
] as const)('starts %s with %j', (entry, args) => {
  expect(imageNodeArgs(entry)).toEqual(args);
});
