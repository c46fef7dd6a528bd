// The filesystem agent: checks (per policy) and mounts the shared data volume,
// and on stop gets it unmounted whatever holds it: plain umount, then kill
// the users (fuser -km) and retry, then a lazy umount as the last resort.
// Monitor proves more than "mounted": the mount point must come from the
// configured device (by device number) and take a small write + fsync, so a
// volume remounted read-only after an I/O error counts as failed.
import { constants } from 'node:fs';
import { access, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionContext, ActionTimeouts, ResourceAgent } from '../agent.ts';
import { DEFAULT_TIMEOUTS } from '../agent.ts';
import { describeCommand } from '../command.ts';
import type { FSCK_POLICIES } from '../../config/resource-schemas.ts';
import { fail, ok } from '../ocf.ts';
import type { OcfResult } from '../ocf.ts';
import { mountAt, parseMountinfo } from './mountinfo.ts';
import type { MountEntry } from './mountinfo.ts';

export type FsckPolicy = (typeof FSCK_POLICIES)[number];

export interface FilesystemConfig {
  readonly name: string;
  readonly device: string;
  readonly mountpoint: string;
  readonly fstype: 'ext4';
  /** mount -o options, e.g. ["noatime", "errors=remount-ro"]. */
  readonly options: readonly string[];
  readonly fsck: FsckPolicy;
  readonly monitorIntervalMs: number;
  readonly timeouts?: Partial<ActionTimeouts>;
}

export interface FilesystemTools {
  readonly mountinfo: string;
  readonly e2fsck: string;
  readonly mount: string;
  readonly umount: string;
  readonly fuser: string;
}

export const LINUX_FS_TOOLS: FilesystemTools = {
  mountinfo: '/proc/self/mountinfo',
  e2fsck: '/usr/sbin/e2fsck',
  mount: '/usr/bin/mount',
  umount: '/usr/bin/umount',
  fuser: '/usr/bin/fuser',
};

/** Left at the root of the volume for a moment by each monitor probe. */
export const PROBE_FILE = '.tandem-monitor-probe';

/**
 * e2fsck's exit status is a bit mask (e2fsck(8)): 1 errors corrected,
 * 2 corrected and reboot advised (about the root fs; not ours), 4 errors left
 * uncorrected, 8 operational error, 16 usage error, 32 cancelled, 128 shared
 * library error. Only 0..3 leave a volume fit to mount.
 */
export function interpretFsck(code: number): OcfResult {
  if (code === 0) return ok('clean');
  if ((code & ~3) === 0) return ok(`errors corrected (e2fsck exit ${code})`);
  if (code & 4)
    return fail('generic-error', `e2fsck left errors uncorrected (exit ${code}): run e2fsck by hand`);
  if (code & 128) return fail('not-installed', `e2fsck shared library error (exit ${code})`);
  if (code & 16) return fail('invalid-param', `e2fsck usage error (exit ${code})`);
  if (code & 32) return fail('generic-error', `e2fsck cancelled (exit ${code})`);
  return fail('generic-error', `e2fsck operational error (exit ${code})`);
}

export class FilesystemAgent implements ResourceAgent {
  readonly type = 'filesystem';
  readonly name: string;
  readonly timeouts: ActionTimeouts;
  readonly monitorIntervalMs: number;
  private readonly config: FilesystemConfig;
  private readonly tools: FilesystemTools;

  constructor(config: FilesystemConfig, tools: FilesystemTools = LINUX_FS_TOOLS) {
    this.config = config;
    this.tools = tools;
    this.name = config.name;
    this.monitorIntervalMs = config.monitorIntervalMs;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts };
  }

  async validate(): Promise<OcfResult> {
    const needed = [this.tools.mount, this.tools.umount, this.tools.fuser];
    if (this.config.fsck !== 'never') needed.push(this.tools.e2fsck);
    for (const tool of needed) {
      try {
        await access(tool, constants.X_OK);
      } catch {
        return fail('not-installed', `${tool} is missing (e2fsprogs, mount, psmisc)`);
      }
    }
    return ok();
  }

  async start(ctx: ActionContext): Promise<OcfResult> {
    const { device, mountpoint } = this.config;
    const mounted = await this.mounted();
    if (mounted) {
      return (await this.fromDevice(mounted))
        ? ok('already mounted')
        : fail('generic-error', `${mountpoint} is already mounted from ${mounted.source}, not ${device}`);
    }
    try {
      if (!(await stat(device)).isBlockDevice())
        return fail('invalid-param', `${device} is not a block device`);
    } catch {
      return fail('generic-error', `${device} is not present (disk path down?)`);
    }
    if (this.config.fsck !== 'never') {
      const args = this.config.fsck === 'always' ? ['-f', '-p', device] : ['-p', device];
      const r = await ctx.exec(this.tools.e2fsck, args);
      if (r.kind !== 'exited') return fail('generic-error', `e2fsck ${describeCommand(r)}`);
      const verdict = interpretFsck(r.code);
      if (verdict.code !== 0) return verdict;
    }
    await mkdir(mountpoint, { recursive: true });
    const opts = this.config.options.length > 0 ? ['-o', this.config.options.join(',')] : [];
    const r = await ctx.exec(this.tools.mount, ['-t', this.config.fstype, ...opts, device, mountpoint]);
    if (r.kind !== 'exited' || r.code !== 0) return fail('generic-error', `mount ${describeCommand(r)}`);
    return ok(`mounted ${device} on ${mountpoint}`);
  }

  async stop(ctx: ActionContext): Promise<OcfResult> {
    const { mountpoint } = this.config;
    if (!(await this.mounted())) return ok('not mounted');
    const first = await ctx.exec(this.tools.umount, [mountpoint]);
    if (first.kind === 'exited' && first.code === 0) return ok('unmounted');
    // Busy: kill whatever still has files open there (-M: only if it really is
    // a mount point, so a typo can never kill users of the root filesystem).
    await ctx.exec(this.tools.fuser, ['-k', '-m', '-M', mountpoint]);
    await ctx.clock.sleep(200);
    const second = await ctx.exec(this.tools.umount, [mountpoint]);
    if (second.kind === 'exited' && second.code === 0) return ok('unmounted after killing its users');
    const lazy = await ctx.exec(this.tools.umount, ['-l', mountpoint]);
    if (lazy.kind === 'exited' && lazy.code === 0) {
      return ok(`lazily unmounted (umount said: ${describeCommand(second)})`);
    }
    return fail('generic-error', `cannot unmount ${mountpoint}: ${describeCommand(lazy)}`);
  }

  async monitor(): Promise<OcfResult> {
    const { mountpoint, device } = this.config;
    const mounted = await this.mounted();
    if (!mounted) return fail('not-running', `${mountpoint} is not mounted`);
    if (!(await this.fromDevice(mounted))) {
      return fail('generic-error', `${mountpoint} is mounted from ${mounted.source}, not ${device}`);
    }
    const probe = join(mountpoint, PROBE_FILE);
    try {
      const fh = await open(probe, 'w');
      try {
        await fh.writeFile(`${Date.now()}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await unlink(probe);
    } catch (err) {
      return fail('generic-error', `write probe on ${mountpoint} failed: ${(err as Error).message}`);
    }
    return ok();
  }

  private async mounted(): Promise<MountEntry | undefined> {
    return mountAt(parseMountinfo(await readFile(this.tools.mountinfo, 'utf8')), this.config.mountpoint);
  }

  /** Same device number: robust against symlinks (/dev/disk/by-uuid/...) and renames. */
  private async fromDevice(entry: MountEntry): Promise<boolean> {
    try {
      const { rdev } = await stat(this.config.device, { bigint: true });
      return devMajor(rdev) === entry.major && devMinor(rdev) === entry.minor;
    } catch {
      return false;
    }
  }
}

// glibc's gnu_dev_major/minor for the 64-bit dev_t.
function devMajor(dev: bigint): number {
  return Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & 0xfffff000n));
}
function devMinor(dev: bigint): number {
  return Number((dev & 0xffn) | ((dev >> 12n) & 0xffffff00n));
}
