// Compile a C probe (see probe.h) against the kernel uAPI headers and read
// back the sizes, offsets and constants it lists, natively (build and run) or
// for another architecture (cross-compile to assembly, never run). Shared by
// every test that checks an ioctl struct layout against the kernel's.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const HEADERS_DIR = fileURLToPath(new URL('.', import.meta.url));

export type ProbeValues = Map<string, bigint>;

/** Throw, naming the Debian package, when a tool is not on PATH. */
export async function requireTool(tool: string, debianPackage: string): Promise<void> {
  try {
    await run('sh', ['-c', 'command -v "$1"', 'sh', tool]);
  } catch {
    throw new Error(
      `${tool} not found on PATH: install the Debian package ${debianPackage} (apt-get install ${debianPackage})`,
    );
  }
}

async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-probe-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Build the probe with the host `cc` and run it. */
export async function probeNative(probeFile: string): Promise<ProbeValues> {
  await requireTool('cc', 'gcc (and linux-libc-dev for the uAPI headers)');
  return inTempDir(async (dir) => {
    const exe = join(dir, 'probe');
    await run('cc', [
      '-std=gnu11',
      '-Wall',
      '-Werror',
      '-I',
      HEADERS_DIR,
      '-o',
      exe,
      join(HEADERS_DIR, probeFile),
    ]);
    const { stdout } = await run(exe, []);
    return parsePrintedProbes(stdout);
  });
}

/** Compile the probe to assembly with `compiler` (a cross gcc) and read the constants. */
export async function probeAssembly(
  compiler: string,
  debianPackage: string,
  probeFile: string,
): Promise<ProbeValues> {
  await requireTool(compiler, debianPackage);
  return inTempDir(async (dir) => {
    const asm = join(dir, 'probe.s');
    await run(compiler, [
      '-std=gnu11',
      '-Wall',
      '-Werror',
      '-O0',
      '-S',
      '-DPROBE_NO_MAIN',
      '-I',
      HEADERS_DIR,
      '-o',
      asm,
      join(HEADERS_DIR, probeFile),
    ]);
    return parseAssemblyProbes(await readFile(asm, 'utf8'));
  });
}

export function parsePrintedProbes(text: string): ProbeValues {
  const out: ProbeValues = new Map();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^(\w+)=(\d+)$/.exec(line);
    if (m === null) throw new Error(`probe printed an unexpected line: ${JSON.stringify(line)}`);
    out.set(m[1]!, BigInt(m[2]!));
  }
  return out;
}

/**
 * GCC emits each constant as `probe_<name>:` followed by one 8-byte data
 * directive (.quad on x86_64, .xword on aarch64, .8byte/.dword elsewhere),
 * or `.zero 8` when the value is 0.
 */
export function parseAssemblyProbes(asm: string): ProbeValues {
  const out: ProbeValues = new Map();
  const re = /^probe_(\w+):\s*\n\s*\.(?:(?:quad|xword|8byte|dword)\s+(-?\d+)|zero\s+8)\s*$/gm;
  for (const m of asm.matchAll(re)) {
    out.set(m[1]!, BigInt.asUintN(64, BigInt(m[2] ?? '0')));
  }
  if (out.size === 0) throw new Error('no probe_* constants found in the assembly');
  return out;
}

/**
 * The values our TypeScript claims, keyed the way probe files name them:
 * size__<struct>, off__<struct>__<member>, const__<NAME>.
 */
export interface LayoutClaims {
  structs: Record<string, { size: number; offsets: Record<string, number> }>;
  constants: Record<string, number>;
}

export function claimsToProbeValues(claims: LayoutClaims): ProbeValues {
  const out: ProbeValues = new Map();
  for (const [struct, { size, offsets }] of Object.entries(claims.structs)) {
    out.set(`size__${struct}`, BigInt(size));
    for (const [member, off] of Object.entries(offsets)) out.set(`off__${struct}__${member}`, BigInt(off));
  }
  for (const [name, value] of Object.entries(claims.constants)) out.set(`const__${name}`, BigInt(value));
  return out;
}

/** Plain object form (sorted) so a mismatch shows as a readable diff. */
export function asSortedRecord(values: ProbeValues): Record<string, string> {
  return Object.fromEntries(
    [...values.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, String(v)]),
  );
}
