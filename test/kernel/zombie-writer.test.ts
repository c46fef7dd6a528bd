// Issue #13 item 5: the data volume behind the reservation, with the real
// daemons. One guest, LIO's LUN through open-iscsi's two nexuses (A and B:
// their own /dev/sg and /dev/sd nodes). Two firmware daemons (transport sg,
// heartbeats over loopback UDP 127.0.0.1/.2 and the LUN's witness area) run
// one group: the reservation, ext4 on the LUN (through the controller's own
// sd node) and a service that appends numbered, fsynced records
// (guest/zombie-writer.ts, started by guest/writer-service.sh in a session of
// its own, so it outlives its daemon: a zombie when the daemon dies).
//   1. Stall: SIGSTOP A's daemon past deadtime. B fences A (PREEMPT AND
//      ABORT), fscks, mounts through its own node and starts the group while
//      A's writer runs on. Then SIGCONT: A finds it was fenced (its key
//      gone: self-fence; or its witness I/O refused: release) and stops its
//      group and its writer.
//   2. Kill: A is rebooted (its daemon started afresh: it joins as standby);
//      kill -9 B's daemon, leaving B's writer running. A fences B and takes
//      the group over.
// The verdict is read from the disk (a read-only mount of the LUN after
// everything stopped, and e2fsck -fn), not from logs: each writer run's
// records on the disk are exactly those it had acknowledged, none started
// after the fence that cut it off, and the runs follow one another.
import { describe, expect, it } from 'vitest';
import { bundleForGuest } from '../../tools/kernel/bundle.ts';
import { REPO, nodeCommand, shQuote } from '../../tools/kernel/guest.ts';
import { outFile, runJob } from './guest-run.ts';
import { SERVICE_SH, daemonConfig, daemonEvents, diskRecords, writerLines } from './zombie-daemons.ts';

const job = async (): Promise<string> => {
  const daemon = await nodeCommand('firmware/daemon.ts');
  const writerJs = await bundleForGuest('test/kernel/guest/zombie-writer.ts');
  const config = (c: 'A' | 'B') =>
    shQuote(JSON.stringify(daemonConfig(c, { node: `${REPO}/node_modules/.bin/node`, writerJs })));
  return `set -e
eval "$(LIO_PAIR_SD=1 sh tools/kernel/guest/lio-pair.sh)"
mkfs.ext4 -q -F -E nodiscard "$SD_A" 56M
for c in a b; do mkdir -p /run/state-$c /run/ctl-$c /run/mnt-$c; done
echo ${config('A')} | sed -e "s#@SG@#$SG_A#" -e "s#@SD@#$SD_A#" >/run/state-a/tandem.json
echo ${config('B')} | sed -e "s#@SG@#$SG_B#" -e "s#@SD@#$SD_B#" >/run/state-b/tandem.json
export NODE_COMPILE_CACHE=/run/compile-cache
mark() { echo "$(date +%s%3N) $*" >>/run/out/marks.txt; echo "$(date +%T) $*"; }
waitfor() { # condition, seconds
  n=0; while ! eval "$1"; do n=$((n+1)); if [ $n -gt $(($2 * 4)) ]; then mark "timed out: $1"; return 1; fi; sleep 0.25; done
}
start_daemon() { # a|b, log name
  C=$(echo "$1" | tr ab AB)
  env TANDEM_CONTROLLER_ID=$C TANDEM_CONFIG_FILE=/run/state-$1/tandem.json TANDEM_STATE_DIR=/run/state-$1 \\
    TANDEM_RUN_DIR=/run/state-$1 TANDEM_CONTROL_SOCKET=/run/state-$1/tandemctl.sock \\
    ${daemon} </dev/null >>/run/out/$2.log 2>&1 &
  eval "PID_$1=$!"
}
seen() { grep -q "$2" /run/out/$1.log 2>/dev/null; }
oks() { cat /run/ctl-$1/writer.log 2>/dev/null | grep -c " ok " || true; }
writer_pid() { cat /run/ctl-$1/writer.pid 2>/dev/null || echo none; }
# The service's own status: the pid file's process is alive.
writer_running() { sh ${shQuote(SERVICE_SH)} status - - - - /run/ctl-$1; }
trap 'for c in a b; do cp /run/ctl-$c/writer.log /run/out/writer-$c.log 2>/dev/null || true; done' EXIT

mark boot
start_daemon a daemon-a
start_daemon b daemon-b
waitfor 'seen daemon-a "\\"code\\":\\"GROUP_STARTED\\""' 180
waitfor 'seen daemon-b "\\"to\\":\\"standby\\""' 60
waitfor '[ "$(oks a)" -ge 20 ]' 60
mark "stall A (daemon $PID_a, writer $(writer_pid a))"
kill -STOP $PID_a
waitfor 'seen daemon-b "\\"code\\":\\"GROUP_STARTED\\""' 120
waitfor '[ "$(oks b)" -ge 20 ]' 60
mark resume A
kill -CONT $PID_a
waitfor 'seen daemon-a "\\"code\\":\\"PR_KEY_PREEMPTED\\""' 90
waitfor 'seen daemon-a "\\"code\\":\\"GROUP_STOPPED\\""' 60
waitfor '! writer_running a' 30
mark "A fenced, its group stopped"
kill -9 $PID_a
umount /run/mnt-a 2>/dev/null || umount -l /run/mnt-a 2>/dev/null || true
mark reboot A
A_BEFORE=$(oks a)
start_daemon a daemon-a2
waitfor 'seen daemon-a2 "\\"to\\":\\"standby\\""' 120
waitfor 'seen daemon-a2 "\\"code\\":\\"PEER_ALIVE\\""' 30
mark "kill B (daemon $PID_b, writer $(writer_pid b))"
kill -9 $PID_b
waitfor 'seen daemon-a2 "\\"code\\":\\"GROUP_STARTED\\""' 120
waitfor '[ "$(oks a)" -ge $((A_BEFORE + 20)) ]' 60
mark "stop all"
kill -9 $PID_a
touch /run/ctl-a/stop /run/ctl-b/stop
waitfor '! writer_running a && ! writer_running b' 30
for m in /run/mnt-a /run/mnt-b; do umount $m 2>/dev/null || umount -l $m 2>/dev/null || true; done
e2fsck -fn "$SD_A" >/run/out/fsck.txt 2>&1 && echo 0 >/run/out/fsck-exit || echo $? >/run/out/fsck-exit
mkdir -p /run/check
mount -o ro -t ext4 "$SD_A" /run/check
cp /run/check/records.log /run/out/disk.txt
umount /run/check
mark done`;
};

describe('zombie writer on a real kernel, with the daemons (kernel tier)', () => {
  it('a stalled and then a killed controller: the survivor fences it, and nothing its writer wrote after the fence reaches the disk', async () => {
    const run = await runJob({ name: 'zombie-writer', job: await job(), timeoutMs: 400_000 });
    const a1 = daemonEvents(outFile(run, 'daemon-a.log'));
    const b = daemonEvents(outFile(run, 'daemon-b.log'));
    const a2 = daemonEvents(outFile(run, 'daemon-a2.log'));
    const writes = [
      ...writerLines(outFile(run, 'writer-a.log')),
      ...writerLines(outFile(run, 'writer-b.log')),
    ];
    const disk = diskRecords(outFile(run, 'disk.txt'));
    console.log(`kernel tier: zombie-writer\n${outFile(run, 'marks.txt')}\n${run.jobLog}`);

    // Who fenced whom, by the daemons' own evidence: B's fence of A, then A's of B.
    const fenceOk = (events: typeof b) =>
      events.find((e) => e.code === 'FAILOVER_TRANSITION' && e.data['event'] === 'fence-ok');
    const bFenced = fenceOk(b);
    const aFenced = fenceOk(a2);
    expect(bFenced, 'B fenced A').toBeDefined();
    expect(aFenced, 'A (rebooted) fenced B').toBeDefined();
    const marks = new Map(
      outFile(run, 'marks.txt')
        .split('\n')
        .map((l) => [l.slice(14).split(' ')[0] ?? '', Number(l.slice(0, 13))] as const),
    );
    // Resumed, A learns it was fenced in one of two orders, both safe, and
    // which comes first is a race between its polls: its key gone (own-key-
    // lost: self-fence, stop at once), or its witness I/O refused while the
    // peer holds the disk (disk-lost: release, then, running nothing, it
    // registers again as a standby). Either way it stops its group and its
    // writer and starts nothing after the stall (not even the second half of
    // a local restart that the disk's EROFS had set off).
    expect(a1.some((e) => e.code === 'PR_KEY_PREEMPTED')).toBe(true);
    const resumed = marks.get('resume') ?? NaN;
    const left = a1.find(
      (e) =>
        e.code === 'FAILOVER_TRANSITION' &&
        e.ts >= resumed &&
        (e.data['to'] === 'self-fenced' || e.data['to'] === 'releasing'),
    );
    expect(left, 'A self-fences or releases once resumed').toBeDefined();
    const afterResume = a1.filter((e) => e.ts >= resumed);
    expect(afterResume.filter((e) => e.code === 'RESOURCE_STARTED')).toEqual([]);
    expect(afterResume.some((e) => e.code === 'GROUP_STOPPED')).toBe(true);

    // The writer runs, in order: A's first, B's, A's after its reboot.
    const runs = [...new Set(disk.map((r) => r.run))];
    expect(runs).toHaveLength(3);
    const [runA1, runB, runA2] = runs as [string, string, string];
    expect([runA1[0], runB[0], runA2[0]]).toEqual(['A', 'B', 'A']);
    const cut: Record<string, number> = { [runA1]: bFenced!.ts, [runB]: aFenced!.ts };
    const started = (events: typeof b) => events.find((e) => e.code === 'GROUP_STARTED')?.ts ?? NaN;
    const perRun = runs.map((r) => ({
      run: r,
      acked: writes.filter((w) => w.run === r && w.result === 'ok').length,
      refusedAfterFence:
        writes.filter((w) => w.run === r && w.result !== 'ok').map((w) => w.result)[0] ?? null,
      onDisk: disk.filter((d) => d.run === r).length,
    }));
    console.log(
      `kernel tier: zombie-writer figures ${JSON.stringify({
        stallToFenceMs: bFenced!.ts - (marks.get('stall') ?? NaN),
        stallToGroupOnBMs: started(b) - (marks.get('stall') ?? NaN),
        killToFenceMs: aFenced!.ts - (marks.get('kill') ?? NaN),
        killToGroupOnAMs: started(a2) - (marks.get('kill') ?? NaN),
        rebootToStandbyMs:
          (a2.find((e) => e.data['to'] === 'standby')?.ts ?? NaN) - (marks.get('reboot') ?? NaN),
        runs: perRun,
      })}`,
    );
    for (const r of runs) {
      const acked = writes.filter((w) => w.run === r && w.result === 'ok').map((w) => w.seq);
      const onDisk = disk.filter((d) => d.run === r);
      // Exactly what the writer had acknowledged, in order: nothing lost, nothing extra.
      expect(
        onDisk.map((d) => d.seq),
        `run ${r}`,
      ).toEqual(acked);
      expect(acked.length, `run ${r}`).toBeGreaterThanOrEqual(20);
      const fencedAt = cut[r];
      if (fencedAt !== undefined) {
        // Nothing started after the fence reached the disk; the writer kept trying and failed.
        expect(
          onDisk.filter((d) => d.started >= fencedAt),
          `run ${r}`,
        ).toEqual([]);
        const after = writes.filter((w) => w.run === r && w.started >= fencedAt);
        expect(after.length, `run ${r} kept writing after the fence`).toBeGreaterThan(0);
        expect(
          after.filter((w) => w.result === 'ok'),
          `run ${r}`,
        ).toEqual([]);
      }
    }
    // The runs follow one another on the disk: no interleaving.
    const order = disk.map((d) => d.run).filter((r, i, all) => i === 0 || all[i - 1] !== r);
    expect(order).toEqual([runA1, runB, runA2]);
    expect(outFile(run, 'fsck-exit').trim(), outFile(run, 'fsck.txt')).toBe('0');
  }, 420_000);
});
