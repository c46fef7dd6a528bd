// BootSlots on a controller: the rauc CLI (execFile, argument arrays, hard
// deadlines). RAUC does the verification and the grubenv bookkeeping; this
// file only asks and reads its JSON. Its text on failure is passed on: it
// names the reason (signature, compatible, verity).
import { execFile, spawn } from 'node:child_process';
import {
  BootError,
  SLOT_NAMES,
  type BootSlots,
  type BootStatus,
  type BundleInfo,
  type InstallProgress,
  type SlotInfo,
  type SlotName,
} from './boot-slots.ts';

const RAUC = 'rauc';
const QUERY_TIMEOUT_MS = 60_000;
/** A whole slot written under emulation takes minutes; a wedged install must still end. */
const INSTALL_TIMEOUT_MS = 30 * 60_000;
const MAX_OUTPUT = 1 << 20;

function run(args: readonly string[], timeoutMs = QUERY_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      RAUC,
      [...args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        if (e.code === 'ENOENT') return reject(new BootError('not-installed', 'rauc is not installed'));
        if (e.killed)
          return reject(new BootError('timeout', `rauc ${args[0] ?? ''} took over ${timeoutMs} ms`));
        reject(new BootError('refused', `rauc ${args.join(' ')}: ${lastLines(stderr || stdout)}`));
      },
    );
  });
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' / ').slice(0, 500) || 'failed without a message';
}

function obj(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function slotName(v: unknown): SlotName | null {
  return SLOT_NAMES.find((s) => s === v) ?? null;
}

/** `rauc status --detailed --output-format=json`, checked field by field. */
export function parseStatus(text: string): BootStatus {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new BootError('bad-output', 'rauc status: not JSON');
  }
  const top = obj(doc);
  const booted = slotName(top?.['booted']);
  if (top === null || booted === null)
    throw new BootError('bad-output', 'rauc status: no booted slot A or B');
  const list = Array.isArray(top['slots']) ? (top['slots'] as unknown[]) : [];
  const slots: SlotInfo[] = [];
  let primary: SlotName | null = null;
  for (const entry of list) {
    const pair = obj(entry);
    if (pair === null) continue;
    for (const [id, value] of Object.entries(pair)) {
      const s = obj(value);
      const name = slotName(s?.['bootname']);
      if (s === null || name === null) continue;
      if (id === top['boot_primary']) primary = name;
      const bundle = obj(obj(s['slot_status'])?.['bundle']);
      const version = typeof bundle?.['version'] === 'string' ? bundle['version'] : null;
      slots.push({ name, good: s['boot_status'] === 'good', version });
    }
  }
  if (slots.length !== 2)
    throw new BootError('bad-output', `rauc status: ${slots.length} root slots, expected A and B`);
  return { booted, primary: primary ?? booted, slots };
}

/** "  42% Copying image to rootfs.1" → 42, the text. */
export function parseProgress(line: string): InstallProgress | null {
  const m = /^\s*(\d{1,3})%\s+(.*)$/.exec(line);
  return m ? { percent: Math.min(100, Number(m[1])), message: m[2]!.trim() } : null;
}

export class RaucBootSlots implements BootSlots {
  async status(): Promise<BootStatus> {
    return parseStatus(await run(['status', '--detailed', '--output-format=json']));
  }

  async info(bundle: string): Promise<BundleInfo> {
    const text = await run(['info', '--output-format=json', bundle]);
    let doc: Record<string, unknown> | null;
    try {
      doc = obj(JSON.parse(text));
    } catch {
      doc = null;
    }
    const compatible = doc?.['compatible'];
    const version = doc?.['version'];
    if (typeof compatible !== 'string' || typeof version !== 'string')
      throw new BootError('bad-output', 'rauc info: no compatible or version');
    return { compatible, version };
  }

  install(bundle: string, onProgress: (p: InstallProgress) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(RAUC, ['install', bundle], { stdio: ['ignore', 'pipe', 'pipe'] });
      let tail = '';
      let pending = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT_MS);
      const take = (chunk: Buffer): void => {
        const text = chunk.toString('utf8');
        tail = (tail + text).slice(-4096);
        pending += text;
        const lines = pending.split(/[\r\n]/);
        pending = (lines.pop() ?? '').slice(-1024);
        for (const l of lines) {
          const p = parseProgress(l);
          if (p) onProgress(p);
        }
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new BootError(e.code === 'ENOENT' ? 'not-installed' : 'failed', `rauc install: ${e.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) return resolve();
        if (signal === 'SIGKILL')
          return reject(new BootError('timeout', `rauc install took over ${INSTALL_TIMEOUT_MS} ms`));
        reject(new BootError('refused', `rauc install: ${lastLines(tail)}`));
      });
    });
  }

  async markGood(): Promise<void> {
    await run(['status', 'mark-good', 'booted']);
  }

  async markOtherBad(): Promise<void> {
    await run(['status', 'mark-bad', 'other']);
  }

  async markActive(which: 'booted' | 'other'): Promise<void> {
    await run(['status', 'mark-active', which]);
  }
}
