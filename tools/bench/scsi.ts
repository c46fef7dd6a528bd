// `npm run bench -- scsi [--n N]`: 512-byte READ(16) and FUA WRITE(16) at
// queue depth 1 through our iSCSI initiator inside tdm-a, and READ(16)
// through libiscsi (a small C client compiled here with cc against
// libiscsi-dev) on the same tgtd in the same run. read_ratio = ours/libiscsi.
// Takes the lab lock for its whole run (re-executing itself under flock) and
// brings the lab up if it is down (and down again afterwards).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tryRun } from '../lab/run.ts';
import { ADDR, ISCSI_PORT, NETNS, PORTAL, TARGET_IQN, TARGET_LUN } from '../lab/topology.ts';
import { AgentClient } from '../pr/agent-client.ts';

const LOCK = '/tmp/tandem-lab.lock';
const LOCK_ENV = 'TANDEM_BENCH_LAB_LOCKED';
const BENCH_CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const LAB_CLI = fileURLToPath(new URL('../lab/cli.ts', import.meta.url));
/** Scratch LBA clear of the witness area and of the lab tests' scratch blocks. */
const LBA = 110_000;

const LIBISCSI_CLIENT = String.raw`/* Reference client for "npm run bench -- scsi": 512-byte READ(16) at queue
 * depth 1 through libiscsi's synchronous API, the same measurement our
 * initiator makes. Written out and compiled by tools/bench/scsi.ts into a temp dir
 * at bench time (never committed as a binary). Prints one JSON line of microseconds.
 * usage: scsi-libiscsi PORTAL TARGET_IQN LUN LBA COUNT INITIATOR */
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc != 7) { fprintf(stderr, "usage: %s PORTAL IQN LUN LBA COUNT INITIATOR\n", argv[0]); return 2; }
  int lun = atoi(argv[3]);
  uint64_t lba = strtoull(argv[4], NULL, 10);
  int n = atoi(argv[5]);
  if (n < 1 || n > 1000000) { fprintf(stderr, "COUNT out of range\n"); return 2; }
  struct iscsi_context *ctx = iscsi_create_context(argv[6]);
  if (ctx == NULL) { fprintf(stderr, "iscsi_create_context failed\n"); return 1; }
  iscsi_set_targetname(ctx, argv[2]);
  iscsi_set_session_type(ctx, ISCSI_SESSION_NORMAL);
  iscsi_set_header_digest(ctx, ISCSI_HEADER_DIGEST_NONE);
  if (iscsi_full_connect_sync(ctx, argv[1], lun) != 0) {
    fprintf(stderr, "login failed: %s\n", iscsi_get_error(ctx));
    return 1;
  }
  double *us = malloc(sizeof(double) * (size_t)n);
  /* The first command of a tgt session gets UA 29/00: absorb it before timing. */
  struct scsi_task *t = iscsi_testunitready_sync(ctx, lun);
  if (t) scsi_free_scsi_task(t);
  for (int i = 0; i < n; i++) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    t = iscsi_read16_sync(ctx, lun, lba, 512, 512, 0, 0, 0, 0, 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (t == NULL || t->status != SCSI_STATUS_GOOD) {
      fprintf(stderr, "READ(16) failed: %s\n", iscsi_get_error(ctx));
      return 1;
    }
    scsi_free_scsi_task(t);
    us[i] = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
  }
  qsort(us, (size_t)n, sizeof(double), cmp);
  printf("{\"n\":%d,\"p50\":%.1f,\"p99\":%.1f}\n", n, us[n / 2], us[(int)(n * 0.99)]);
  iscsi_logout_sync(ctx);
  iscsi_destroy_context(ctx);
  free(us);
  return 0;
}`;

function parseN(args: readonly string[]): number {
  const i = args.indexOf('--n');
  if (i < 0) return 2000;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 10 || n > 1_000_000)
    throw new Error(`--n must be an integer 10..1000000, got ${args[i + 1]}`);
  return n;
}

/** Run this bench again under flock so no lab test runs meanwhile; relay its output. */
function underLock(args: readonly string[]): Promise<Record<string, number | string>> {
  return new Promise((resolve, reject) => {
    const child = spawn('flock', [LOCK, process.execPath, BENCH_CLI, 'scsi', ...args], {
      env: { ...process.env, [LOCK_ENV]: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const lines = out.trimEnd().split('\n');
      const last = lines.pop() ?? '';
      for (const l of lines) console.log(l);
      if (code !== 0 || !last.startsWith('RESULT ')) {
        reject(new Error(`bench under ${LOCK} exited ${code}: ${last}`));
        return;
      }
      const { bench: _bench, ...fields } = JSON.parse(last.slice(7)) as Record<string, number | string>;
      resolve(fields);
    });
  });
}

async function lab(args: string[]): Promise<string> {
  const r = await tryRun(process.execPath, [LAB_CLI, ...args], { timeoutMs: 240_000 });
  if (r.code !== 0) throw new Error(`lab ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function libiscsiRead(n: number): Promise<{ p50: number; p99: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-'));
  try {
    writeFileSync(join(dir, 'client.c'), LIBISCSI_CLIENT);
    const bin = join(dir, 'client');
    const cc = await tryRun('cc', ['-O2', '-o', bin, join(dir, 'client.c'), '-liscsi'], {
      timeoutMs: 60_000,
    });
    if (cc.code !== 0) throw new Error(`cc against libiscsi-dev failed (install libiscsi-dev): ${cc.stderr}`);
    const r = await tryRun(
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
        String(n),
        'iqn.2026-11.invalid.tandem:bench-libiscsi',
      ],
      { timeoutMs: 300_000 },
    );
    if (r.code !== 0) throw new Error(`libiscsi client failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim()) as { p50: number; p99: number };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(args: readonly string[]): Promise<Record<string, number | string>> {
  const n = parseN(args);
  if (process.env[LOCK_ENV] !== '1') return underLock(args);
  const wasUp = (JSON.parse(await lab(['status', '--json'])) as { up: boolean }).up;
  if (!wasUp) await lab(['up']);
  const agent = new AgentClient(NETNS.A);
  try {
    await agent.ok('connect', {
      host: ADDR.enclSasA,
      port: ISCSI_PORT,
      target: TARGET_IQN,
      lun: TARGET_LUN,
      initiator: 'iqn.2026-11.invalid.tandem:bench-ours',
    });
    await agent.ok('bench', { kind: 'read', n: Math.min(n, 100), lba: LBA }); // warm-up (JIT, UA 29/00)
    const read = await agent.ok<{ p50: number; p99: number }>('bench', { kind: 'read', n, lba: LBA });
    const write = await agent.ok<{ p50: number; p99: number }>('bench', {
      kind: 'write',
      n: Math.max(10, n >> 1),
      lba: LBA,
    });
    console.log(
      `ours: READ(16) p50 ${read.p50.toFixed(0)} us p99 ${read.p99.toFixed(0)} us; FUA WRITE(16) p50 ${write.p50.toFixed(0)} us p99 ${write.p99.toFixed(0)} us`,
    );
    const ref = await libiscsiRead(n);
    console.log(`libiscsi: READ(16) p50 ${ref.p50.toFixed(0)} us p99 ${ref.p99.toFixed(0)} us`);
    const r1 = (x: number): number => Math.round(x * 10) / 10;
    return {
      read_p50_us: r1(read.p50),
      read_p99_us: r1(read.p99),
      fua_write_p50_us: r1(write.p50),
      libiscsi_read_p50_us: r1(ref.p50),
      read_ratio: Math.round((read.p50 / ref.p50) * 100) / 100,
    };
  } finally {
    await agent.close();
    if (!wasUp) await lab(['down']);
  }
}
