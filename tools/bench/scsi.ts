// `npm run bench -- scsi [--n N] [--rounds R]`: 512-byte READ(16) at queue
// depth 1 through our iSCSI initiator (tools/pr/agent.ts inside tdm-a) and
// through libiscsi (a small C client compiled here with cc against
// libiscsi-dev, also inside tdm-a) on the same tgtd, plus FUA WRITE(16)
// through ours. Takes the lab lock for its whole run (re-executing itself
// under flock) and brings the lab up if it is down (and down again afterwards).
//
// Method (a fair head-to-head on a noisy shared 2-CPU machine, where
// background load swings a p50 by 2-3x within seconds):
// - Both clients log in once, before anything is timed, and each absorbs the
//   session's first unit attention; login and session setup are never timed.
//   Then each does 2000 untimed reads (JIT tiering, caches) before round 1.
//   Both sessions then stay open for the whole run, each idle while the
//   other is measured.
// - R rounds (--rounds, default 60); in each, each client does 100 untimed
//   warm-up READ(16)s and then N timed ones (--n, default 400), at the same
//   LBA. The order alternates (ours first in odd rounds, libiscsi first in
//   even ones) so a load trend cannot favour either side. Many short rounds
//   (~30 ms a side) rather than a few long ones keep each pair close in
//   time: here the load flips a round's p50 between ~40 and ~100 us on a
//   sub-second scale, so 0.2 s rounds often pair a quiet side with a busy one.
// - Both sides time each command the same way (monotonic clock around one
//   synchronous/awaited command) and return every sample; all percentiles
//   are computed here, by one definition (the sample at floor(p * n)).
// - read_p50_us / libiscsi_read_p50_us: median over rounds of each round's
//   p50. read_ratio: median over rounds of the per-round ratio ours/libiscsi,
//   so each ratio compares two measurements taken a fraction of a second
//   apart (round_read_ratios lists them). read_p99_us and
//   libiscsi_read_p99_us: p99 of each side's samples pooled over all rounds
//   (R x N samples, enough for a stable tail). read_ratio_min_p50: lowest
//   round p50 of ours / lowest of libiscsi, each side at its least disturbed
//   (a diagnostic of the quiet-machine ratio, not the goal figure).
// - fua_write_p50_us (and _p99_us): ours only, one batch of max(10, N/2)
//   timed FUA WRITE(16)s after 50 warm-up ones, after the read rounds.
// The timed part takes ~5-10 s; lab bring-up (only if the lab was down) and
// waiting for the lab lock dominate the wall time. The locked run is itself
// under `timeout`, so a wedged bench cannot hold the lab.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tryRun } from '../lab/run.ts';
import { ADDR, ISCSI_PORT, NETNS, PORTAL, TARGET_IQN, TARGET_LUN } from '../lab/topology.ts';
import { AgentClient } from '../pr/agent-client.ts';
import { isUnderLabLock, rerunUnderLabLock } from './_lab-lock.ts';

/** Lab up (<= 240 s) + the bench (< 1 min) + lab down (<= 240 s), with room to spare. */
const LOCKED_LIMIT_S = 600;
const LAB_CLI = fileURLToPath(new URL('../lab/cli.ts', import.meta.url));
/** Scratch LBA clear of the witness area and of the lab tests' scratch blocks. */
const LBA = 110_000;

const LIBISCSI_CLIENT = String.raw`/* Reference client for "npm run bench -- scsi": 512-byte READ(16) at queue
 * depth 1 through libiscsi's synchronous API, the same measurement our
 * initiator makes. Written out and compiled by tools/bench/scsi.ts into a temp dir
 * at bench time (never committed as a binary).
 * usage: scsi-libiscsi PORTAL TARGET_IQN LUN LBA INITIATOR
 * Logs in (and absorbs the session's first unit attention) once, prints
 * {"ready":true}, then for each stdin line "WARMUP COUNT" does WARMUP untimed
 * and COUNT timed reads and prints {"n":COUNT,"samples":[us, ...]}. Logs out
 * at end of input. */
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int read1(struct iscsi_context *ctx, int lun, uint64_t lba) {
  struct scsi_task *t = iscsi_read16_sync(ctx, lun, lba, 512, 512, 0, 0, 0, 0, 0);
  if (t == NULL || t->status != SCSI_STATUS_GOOD) {
    fprintf(stderr, "READ(16) failed: %s\n", iscsi_get_error(ctx));
    return -1;
  }
  scsi_free_scsi_task(t);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 6) { fprintf(stderr, "usage: %s PORTAL IQN LUN LBA INITIATOR\n", argv[0]); return 2; }
  int lun = atoi(argv[3]);
  uint64_t lba = strtoull(argv[4], NULL, 10);
  struct iscsi_context *ctx = iscsi_create_context(argv[5]);
  if (ctx == NULL) { fprintf(stderr, "iscsi_create_context failed\n"); return 1; }
  iscsi_set_targetname(ctx, argv[2]);
  iscsi_set_session_type(ctx, ISCSI_SESSION_NORMAL);
  iscsi_set_header_digest(ctx, ISCSI_HEADER_DIGEST_NONE);
  if (iscsi_full_connect_sync(ctx, argv[1], lun) != 0) {
    fprintf(stderr, "login failed: %s\n", iscsi_get_error(ctx));
    return 1;
  }
  /* The first command of a tgt session gets UA 29/00: absorb it before timing. */
  struct scsi_task *t = iscsi_testunitready_sync(ctx, lun);
  if (t) scsi_free_scsi_task(t);
  printf("{\"ready\":true}\n");
  fflush(stdout);
  char line[64];
  while (fgets(line, sizeof line, stdin) != NULL) {
    int warmup = 0, n = 0;
    if (sscanf(line, "%d %d", &warmup, &n) != 2 || warmup < 0 || warmup > 1000000 || n < 1 || n > 1000000) {
      fprintf(stderr, "bad request: %s", line);
      return 2;
    }
    for (int i = 0; i < warmup; i++)
      if (read1(ctx, lun, lba) != 0) return 1;
    double *us = malloc(sizeof(double) * (size_t)n);
    if (us == NULL) return 1;
    for (int i = 0; i < n; i++) {
      struct timespec a, b;
      clock_gettime(CLOCK_MONOTONIC, &a);
      int rc = read1(ctx, lun, lba);
      clock_gettime(CLOCK_MONOTONIC, &b);
      if (rc != 0) return 1;
      us[i] = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
    }
    printf("{\"n\":%d,\"samples\":[", n);
    for (int i = 0; i < n; i++) printf(i ? ",%.1f" : "%.1f", us[i]);
    printf("]}\n");
    fflush(stdout);
    free(us);
  }
  iscsi_logout_sync(ctx);
  iscsi_destroy_context(ctx);
  return 0;
}`;

const READ_WARMUP = 100;
/** Untimed reads by each side before round 1. */
const WARMUP_ROUND = 2000;
const WRITE_WARMUP = 50;

function intArg(args: readonly string[], name: string, dflt: number, min: number, max: number): number {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be an integer ${min}..${max}, got ${args[i + 1]}`);
  return n;
}

async function lab(args: string[]): Promise<string> {
  const r = await tryRun(process.execPath, [LAB_CLI, ...args], { timeoutMs: 240_000 });
  if (r.code !== 0) throw new Error(`lab ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** The sample at floor(p * n) of an ascending array: the definition used for every figure here. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

const ascending = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: readonly number[]): number => {
  const s = ascending(xs);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};

/** The compiled libiscsi client, logged in once inside tdm-a and driven a round at a time. */
class LibiscsiClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private wake: (() => void) | undefined;
  private stderr = '';
  private exited = false;

  constructor(bin: string) {
    this.child = spawn(
      'ip',
      [
        'netns',
        'exec',
        NETNS.A,
        bin,
        PORTAL.A,
        TARGET_IQN,
        String(TARGET_LUN),
        String(LBA),
        'iqn.2026-11.invalid.tandem:bench-libiscsi',
      ],
      { stdio: 'pipe' },
    );
    this.child.stderr.on('data', (b: Buffer) => (this.stderr += b.toString()));
    createInterface({ input: this.child.stdout }).on('line', (l) => {
      this.lines.push(l);
      this.wake?.();
    });
    this.child.on('exit', () => {
      this.exited = true;
      this.wake?.();
    });
  }

  /** The next line of output, or an error if the client exits or is silent for timeoutMs. */
  private async next(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) return line;
      const left = deadline - Date.now();
      if (this.exited || left <= 0) {
        this.child.kill('SIGKILL');
        throw new Error(`libiscsi client ${this.exited ? 'exited' : 'timed out'}: ${this.stderr.trim()}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  async ready(): Promise<void> {
    const l = await this.next(30_000);
    if (l !== '{"ready":true}') throw new Error(`libiscsi client: unexpected ${l}`);
  }

  async read(warmup: number, n: number): Promise<number[]> {
    this.child.stdin.write(`${warmup} ${n}\n`);
    return (JSON.parse(await this.next(120_000)) as { samples: number[] }).samples;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end(); // the client logs out at end of input
    const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
}

async function compileLibiscsiClient(dir: string): Promise<string> {
  writeFileSync(join(dir, 'client.c'), LIBISCSI_CLIENT);
  const bin = join(dir, 'client');
  const cc = await tryRun('cc', ['-O2', '-o', bin, join(dir, 'client.c'), '-liscsi'], { timeoutMs: 60_000 });
  if (cc.code !== 0) throw new Error(`cc against libiscsi-dev failed (install libiscsi-dev): ${cc.stderr}`);
  return bin;
}

interface Samples {
  readonly p50: number;
  readonly p99: number;
  readonly samples: number[];
}

export async function run(args: readonly string[]): Promise<Record<string, number | string>> {
  const n = intArg(args, '--n', 400, 10, 100_000);
  const rounds = intArg(args, '--rounds', 60, 1, 500);
  if (!isUnderLabLock()) return rerunUnderLabLock('scsi', args, LOCKED_LIMIT_S);
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-'));
  let wasUp = true;
  let agent: AgentClient | undefined;
  let ref: LibiscsiClient | undefined;
  try {
    const bin = await compileLibiscsiClient(dir);
    wasUp = (JSON.parse(await lab(['status', '--json'])) as { up: boolean }).up;
    if (!wasUp) await lab(['up']);
    agent = new AgentClient(NETNS.A);
    await agent.ok('connect', {
      host: ADDR.enclSasA,
      port: ISCSI_PORT,
      target: TARGET_IQN,
      lun: TARGET_LUN,
      initiator: 'iqn.2026-11.invalid.tandem:bench-ours',
    });
    await agent.ok('bench', { kind: 'read', n: 1, lba: LBA }); // takes the session's UA 29/00
    ref = new LibiscsiClient(bin);
    await ref.ready();
    const started = performance.now();
    // One uncounted round first: round 1 otherwise runs ours with a still-tiering JIT.
    await agent.ok('bench', { kind: 'read', n: WARMUP_ROUND, lba: LBA });
    await ref.read(WARMUP_ROUND, 1);

    const a = agent;
    const l = ref;
    const oursRound = async (): Promise<number[]> =>
      (await a.ok<Samples>('bench', { kind: 'read', n, warmup: READ_WARMUP, lba: LBA, samples: true }))
        .samples;
    const oursP50: number[] = [];
    const refP50: number[] = [];
    const ratios: number[] = [];
    const oursAll: number[] = [];
    const refAll: number[] = [];
    for (let i = 0; i < rounds; i++) {
      let ours: number[];
      let lib: number[];
      if (i % 2 === 0) {
        ours = await oursRound();
        lib = await l.read(READ_WARMUP, n);
      } else {
        lib = await l.read(READ_WARMUP, n);
        ours = await oursRound();
      }
      if (ours.length !== n || lib.length !== n)
        throw new Error(`round ${i + 1}: got ${ours.length} and ${lib.length} samples, asked for ${n}`);
      const o50 = percentile(ascending(ours), 0.5);
      const l50 = percentile(ascending(lib), 0.5);
      oursP50.push(o50);
      refP50.push(l50);
      ratios.push(o50 / l50);
      for (const x of ours) oursAll.push(x);
      for (const x of lib) refAll.push(x);
    }
    const list = (xs: readonly number[]): string => xs.map((x) => x.toFixed(0)).join(' ');
    console.log(`READ(16) p50 by round (us; ours first in odd rounds)\n  ours:     ${list(oursP50)}`);
    console.log(`  libiscsi: ${list(refP50)}`);
    await ref.close();
    ref = undefined;

    const write = await agent.ok<Samples>('bench', {
      kind: 'write',
      n: Math.max(10, n >> 1),
      warmup: WRITE_WARMUP,
      lba: LBA,
    });
    console.log(
      `timed part (${rounds} read rounds and the writes) took ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const oursSorted = ascending(oursAll);
    const refSorted = ascending(refAll);
    const read = { p50: median(oursP50), p99: percentile(oursSorted, 0.99) };
    const lib = { p50: median(refP50), p99: percentile(refSorted, 0.99) };
    const ratio = median(ratios);
    console.log(
      `ours: READ(16) p50 ${read.p50.toFixed(0)} us (median of ${rounds} rounds) p99 ${read.p99.toFixed(0)} us (pooled); FUA WRITE(16) p50 ${write.p50.toFixed(0)} us p99 ${write.p99.toFixed(0)} us`,
    );
    console.log(
      `libiscsi: READ(16) p50 ${lib.p50.toFixed(0)} us p99 ${lib.p99.toFixed(0)} us; ratio median of rounds ${ratio.toFixed(2)} (range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}), ratio of median p50s ${(read.p50 / lib.p50).toFixed(2)}`,
    );
    const r1 = (x: number): number => Math.round(x * 10) / 10;
    const r2 = (x: number): number => Math.round(x * 100) / 100;
    return {
      read_p50_us: r1(read.p50),
      read_p99_us: r1(read.p99),
      fua_write_p50_us: r1(write.p50),
      libiscsi_read_p50_us: r1(lib.p50),
      read_ratio: r2(ratio),
      rounds,
      reads_per_round: n,
      round_read_ratios: ratios.map((x) => r2(x).toFixed(2)).join(','),
      read_ratio_min_p50: r2(Math.min(...oursP50) / Math.min(...refP50)),
      libiscsi_read_p99_us: r1(lib.p99),
      fua_write_p99_us: r1(write.p99),
    };
  } finally {
    await ref?.close();
    await agent?.close();
    if (!wasUp) await lab(['down']);
    rmSync(dir, { recursive: true, force: true });
  }
}
