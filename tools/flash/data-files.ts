// Files onto the data partition of a flashed target, without mounting it:
// e2fsprogs' debugfs opens the ext4 inside the disk at its byte offset
// (`TARGET?offset=BYTES`), makes the directories, replaces each file and sets
// its mode and owner; then each file is read back with debugfs `cat` and
// `stat`. debugfs exits 0 even when a command fails, so the read-back is
// the check. Used by the flash tool (identity, config) and the VM pair.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlashError } from './errors.ts';
import { exec } from './exec.ts';
import { readGpt } from './gpt.ts';
import { targetUses } from './in-use.ts';
import { imageLayout, requireExtFilesystem } from './layout.ts';
import { inspectTarget } from './target.ts';

export interface DataFile {
  /** Relative to the data partition's root, e.g. `tandem/etc/identity.json`. */
  readonly path: string;
  readonly content: string | Uint8Array;
  /** Permission bits, e.g. 0o600. */
  readonly mode: number;
}

const MAX_FILES = 64;
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_PATH = 255;
// One charset debugfs's command parser cannot misread (no spaces, quotes or
// backslashes), no empty, `.` or `..` component.
const PATH = /^(?!.*(?:^|\/)\.{1,2}(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;

function checkFiles(files: readonly DataFile[]): string[] {
  const problems: string[] = [];
  if (files.length > MAX_FILES) problems.push(`${files.length} files (at most ${MAX_FILES})`);
  const seen = new Set<string>();
  files.forEach((f, i) => {
    const what = `file ${i} (${String(JSON.stringify(f.path)).slice(0, 80)})`;
    if (typeof f.path !== 'string' || f.path.length > MAX_PATH || !PATH.test(f.path)) {
      problems.push(`${what}: path must be relative, of [A-Za-z0-9._-] components joined by /, no . or ..`);
    } else if (seen.has(f.path)) problems.push(`${what}: named twice`);
    seen.add(f.path);
    if (Buffer.byteLength(f.content) > MAX_FILE_BYTES) problems.push(`${what}: over ${MAX_FILE_BYTES} bytes`);
    if (!Number.isInteger(f.mode) || f.mode < 0 || f.mode > 0o7777)
      problems.push(`${what}: mode must be 0 to 0o7777`);
  });
  return problems;
}

function parentDirs(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

function debugfsScript(files: readonly DataFile[]): string {
  const lines: string[] = [];
  const made = new Set<string>();
  files.forEach((f, i) => {
    for (const dir of parentDirs(f.path)) {
      if (made.has(dir)) continue;
      made.add(dir);
      lines.push(`mkdir /${dir}`); // complains harmlessly when it exists
    }
    lines.push(`rm /${f.path}`, `write f${i} /${f.path}`);
    lines.push(`sif /${f.path} mode 0${(0o100000 | f.mode).toString(8)}`);
    lines.push(`sif /${f.path} uid 0`, `sif /${f.path} gid 0`);
  });
  return `${lines.join('\n')}\n`;
}

/** The ext4 data partition of `target` as debugfs names it. */
async function dataPartitionSpec(target: string): Promise<string> {
  if (target.includes('?'))
    throw new FlashError(`${target}: a '?' in the path would be read as debugfs io options`);
  const t = inspectTarget(target);
  if (t.kind === 'missing') throw new FlashError(`${target}: does not exist`);
  const uses = targetUses(t);
  if (uses.length > 0) throw new FlashError(`${target} is in use: ${uses.join('; ')}`);
  const data = imageLayout(await readGpt(t.path, t.bytes), t.path).data;
  await requireExtFilesystem(t.path, data);
  return `${t.path}?offset=${data.offset}`;
}

async function debugfs(args: readonly string[], cwd?: string): Promise<{ out: Buffer; err: string }> {
  const r = await exec('debugfs', args, cwd === undefined ? {} : { cwd });
  if (r.code !== 0) throw new FlashError(`debugfs ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return { out: r.stdout, err: r.stderr };
}

/** Writes `files` onto the target's data partition and reads each back; throws naming any that differ. */
export async function writeDataFiles(target: string, files: readonly DataFile[]): Promise<void> {
  const problems = checkFiles(files);
  if (problems.length > 0) throw new FlashError(`data files refused: ${problems.join('; ')}`);
  if (files.length === 0) return;
  const spec = await dataPartitionSpec(target);
  const dir = await mkdtemp(join(tmpdir(), 'tandem-flash-'));
  try {
    for (const [i, f] of files.entries()) await writeFile(join(dir, `f${i}`), f.content, { mode: 0o600 });
    await writeFile(join(dir, 'script'), debugfsScript(files));
    // Host files are named relative to dir, so no temp path reaches debugfs's parser.
    const wrote = await debugfs(['-w', '-f', 'script', spec], dir);
    const wrong: string[] = [];
    for (const f of files) {
      const back = await debugfs(['-R', `cat /${f.path}`, spec]);
      if (!back.out.equals(Buffer.from(f.content))) {
        wrong.push(`${f.path}: reads back ${back.out.length} bytes, not what was written`);
        continue;
      }
      const st = await debugfs(['-R', `stat /${f.path}`, spec]);
      const mode = /Mode:\s+0?([0-7]+)/.exec(st.out.toString('utf8'))?.[1];
      if (mode === undefined || parseInt(mode, 8) !== f.mode) {
        wrong.push(`${f.path}: mode ${mode ?? '?'}, not ${f.mode.toString(8)}`);
      }
    }
    if (wrong.length > 0) {
      throw new FlashError(
        `${target}: data partition: ${wrong.join('; ')}\ndebugfs said:\n${wrote.err.trim()}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
