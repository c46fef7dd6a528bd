// Boots one kernel-tier guest: QEMU with TCG (KVM does not work here), the
// bookworm vmlinux through PVH, the initramfs of initramfs.ts, the host's /
// read-only over 9p and a per-run writable share ("out") that carries the
// job in and its log, exit code and results out. Every guest has a hard
// deadline after which QEMU is killed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInitramfs } from './initramfs.ts';
import { REPO, findGuestPieces } from './pieces.ts';
import { bundleForGuest } from './bundle.ts';
import { ensureVmlinux } from './vmlinux.ts';

export interface GuestOptions {
  /** For the run directory's name. */
  readonly name: string;
  /** Shell script run as root in the guest (dash, in the overlay root); its exit code is the job's. */
  readonly job: string;
  readonly timeoutMs: number;
  readonly memoryMb?: number;
  readonly cpus?: number;
}

export interface GuestRun {
  /** The job's exit code; undefined when the guest never got to write it (reset, timeout). */
  readonly jobExitCode: number | undefined;
  /** QEMU was killed at the deadline. */
  readonly timedOut: boolean;
  readonly qemuExitCode: number | null;
  /** From spawning QEMU until it exited. */
  readonly elapsedMs: number;
  /** Guest uptime when the root was ready and the job started (from the console). */
  readonly bootSeconds: number | undefined;
  readonly console: string;
  /** The job's stdout and stderr. */
  readonly jobLog: string;
  /** Host directory shared with the guest as /run/out. */
  readonly outDir: string;
}

export { REPO };

/** Single-quote for the guest's shell. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A job line that runs one repository script with the project's Node (22),
 * as a bundle made on the host (bundle.ts says why).
 */
export async function nodeCommand(script: string, args: readonly string[] = []): Promise<string> {
  return [`${REPO}/node_modules/.bin/node`, await bundleForGuest(script), ...args].map(shQuote).join(' ');
}

function readIfThere(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

export async function runGuest(opts: GuestOptions): Promise<GuestRun> {
  const pieces = findGuestPieces();
  const vmlinux = await ensureVmlinux(pieces.bzImage, join(pieces.cacheDir, `vmlinux-${pieces.release}`));
  const outDir = mkdtempSync(join(tmpdir(), `tandem-kernel-${opts.name}-`));
  const initrd = join(outDir, 'initramfs.cpio');
  writeFileSync(initrd, buildInitramfs(pieces));
  const stage2 = `${REPO}/tools/kernel/stage2.sh`;
  writeFileSync(
    join(outDir, 'guest.env'),
    `TANDEM_GUEST_MODULES=${shQuote(pieces.modulesRoot)}\nTANDEM_GUEST_STAGE2=${shQuote(stage2)}\n`,
  );
  const header = `export TANDEM_KERNEL_CACHE=${shQuote(pieces.cacheDir)}\ncd ${shQuote(REPO)}\n`;
  writeFileSync(join(outDir, 'job.sh'), `${header}${opts.job}\n`);
  const args = [
    ...['-M', 'pc', '-accel', 'tcg', '-cpu', 'max'],
    ...['-smp', String(opts.cpus ?? 2), '-m', String(opts.memoryMb ?? 1536)],
    ...['-nographic', '-no-reboot', '-nic', 'none'],
    ...['-kernel', vmlinux, '-initrd', initrd],
    // panic=-1: a panic reboots at once, and -no-reboot turns that into QEMU exiting.
    ...['-append', 'console=ttyS0 panic=-1 quiet loglevel=4 mitigations=off'],
    ...['-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap'],
    ...['-virtfs', `local,path=${outDir},mount_tag=out,security_model=none`],
  ];
  const started = Date.now();
  const qemu = spawn(pieces.qemu, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let consoleText = '';
  qemu.stdout.on('data', (b: Buffer) => (consoleText += b.toString('latin1')));
  qemu.stderr.on('data', (b: Buffer) => (consoleText += b.toString('latin1')));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    qemu.kill('SIGKILL');
  }, opts.timeoutMs);
  const qemuExitCode = await new Promise<number | null>((resolve, reject) => {
    qemu.on('error', reject);
    qemu.on('close', (code) => resolve(code));
  }).finally(() => clearTimeout(timer));
  const elapsedMs = Date.now() - started;
  // Keep the logs and reports for a post-mortem, not the 3 MB initramfs.
  rmSync(initrd, { force: true });
  writeFileSync(join(outDir, 'console.log'), consoleText);
  const code = readIfThere(join(outDir, 'exit-code')).trim();
  const boot = /tandem-init: userspace ready at ([\d.]+) s/.exec(consoleText);
  return {
    jobExitCode: code === '' ? undefined : Number(code),
    timedOut,
    qemuExitCode,
    elapsedMs,
    bootSeconds: boot?.[1] === undefined ? undefined : Number(boot[1]),
    console: consoleText,
    jobLog: readIfThere(join(outDir, 'job.log')),
    outDir,
  };
}
