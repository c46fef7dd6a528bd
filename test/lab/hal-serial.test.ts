// The SerialLink contract against the real driver over a socat pty pair: the
// same suite the sim passes in unit tests, so the two cannot drift apart.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { LinuxSerialLink } from '../../hal/serial/linux.ts';
import { serialLinkContract } from '../unit/hal/serial-contract.ts';

const SOCAT = '/usr/bin/socat';

/** Start `socat` joining two ptys; resolve with their paths once both exist. */
function startPtyPair(): Promise<{ proc: ChildProcess; ptys: [string, string] }> {
  if (!existsSync(SOCAT)) {
    throw new Error(`${SOCAT} is missing: install the Debian package "socat" (apt-get install socat)`);
  }
  return new Promise((resolve, reject) => {
    const proc = spawn(SOCAT, ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const found: string[] = [];
    let stderr = '';
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error(`socat did not report two ptys within 5 s; stderr: ${stderr}`));
    }, 5000);
    proc.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (text: string) => {
      stderr += text;
      for (const m of text.matchAll(/PTY is (\/dev\/pts\/\d+)/g)) if (m[1]) found.push(m[1]);
      if (found.length >= 2 && /starting data transfer loop/.test(stderr)) {
        clearTimeout(timer);
        resolve({ proc, ptys: [found[0] ?? '', found[1] ?? ''] });
      }
    });
  });
}

serialLinkContract('LinuxSerialLink over a socat pty pair', async () => {
  const { proc, ptys } = await startPtyPair();
  return {
    a: new LinuxSerialLink({ path: ptys[0], baudRate: 19200 }),
    b: new LinuxSerialLink({ path: ptys[1], baudRate: 19200 }),
    dispose: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
});
