// Issue #13 item 5, the zombie writer, in the form that fits the kernel
// tier's time: one guest, LIO's LUN through open-iscsi's two nexuses (A, B:
// their own /dev/sg and /dev/sd nodes), ext4 on the LUN. A's side registers
// and reserves (the firmware's ReservationManager over SG_IO), mounts ext4
// through A's sd node and runs a writer that appends numbered, fsynced
// records (test/kernel/guest/zombie-writer.ts). No controller is left to
// stop that writer: it is the zombie. B's ReservationManager registers and
// fences A (PREEMPT AND ABORT) while A's writer keeps going; B runs
// e2fsck -p and mounts through its own sd node and starts its own writer.
// The verdict is read from the disk (B's mount, then e2fsck -fn and a
// read-only mount after both stopped), not from logs. What this does NOT
// run: the daemons (firmware/daemon.ts) deciding to fence and starting the
// group; see docs/reservations.md and the README for why.
import { describe, expect, it } from 'vitest';
import { nodeCommand } from '../../tools/kernel/guest.ts';
import { outFile, runJob } from './guest-run.ts';

const job = async (): Promise<string> => {
  const writer = await nodeCommand('test/kernel/guest/zombie-writer.ts');
  const fence = await nodeCommand('test/kernel/guest/zombie-fence.ts');
  return `set -e
eval "$(LIO_PAIR_SD=1 sh tools/kernel/guest/lio-pair.sh)"
mkfs.ext4 -q -F -E nodiscard "$SD_A" 56M
mkdir -p /run/a /run/b /run/ctl-a /run/ctl-b /run/check
waitfor() { # condition, seconds
  n=0; while ! eval "$1"; do n=$((n+1)); if [ $n -gt $(($2 * 2)) ]; then echo "timed out: $1"; return 1; fi; sleep 0.5; done
}
oks() { grep -c ' ok ' /run/ctl-$1/writer.log 2>/dev/null || true; }
${fence} start "$SG_A" "$SG_B" >/run/out/start.json
mount -t ext4 "$SD_A" /run/a
setsid ${writer} A /run/a /run/ctl-a </dev/null >/run/ctl-a/out 2>&1 &
WA=$!
waitfor '[ "$(oks a)" -ge 20 ]' 90
echo "A acked $(oks a) records; B fences"
${fence} fence "$SG_B" >/run/out/fence.json
echo "fenced; A acked $(oks a)"
e2fsck -p "$SD_B" >/run/out/fsck-p.txt 2>&1 || echo "e2fsck -p exit $?"
mount -t ext4 "$SD_B" /run/b
setsid ${writer} B /run/b /run/ctl-b </dev/null >/run/ctl-b/out 2>&1 &
WB=$!
waitfor '[ "$(oks b)" -ge 20 ]' 90
touch /run/ctl-a/stop /run/ctl-b/stop
waitfor '! kill -0 $WA 2>/dev/null && ! kill -0 $WB 2>/dev/null' 30
cp /run/b/records.log /run/out/disk-b-live.txt
umount /run/b
umount /run/a || umount -l /run/a
e2fsck -fn "$SD_B" >/run/out/fsck.txt 2>&1 && echo 0 >/run/out/fsck-exit || echo $? >/run/out/fsck-exit
mount -o ro -t ext4 "$SD_B" /run/check
cp /run/check/records.log /run/out/disk-final.txt
umount /run/check
cp /run/ctl-a/writer.log /run/out/writer-a.log
cp /run/ctl-b/writer.log /run/out/writer-b.log
dmesg | grep -iE 'ext4|critical|I/O error|reservation' | tail -20 >/run/out/dmesg.txt || true`;
};

interface Rec {
  who: string;
  seq: number;
  started: number;
}
const records = (text: string): Rec[] =>
  text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [who = '', seq = '', started = ''] = l.split(/[ .]+/);
      return { who, seq: Number(seq), started: Number(started) };
    });
interface WriterLine {
  seq: number;
  result: string;
  started: number;
  ended: number;
}
const writerLog = (text: string): WriterLine[] =>
  text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [seq = '', result = '', started = '', ended = ''] = l.split(' ');
      return { seq: Number(seq), result, started: Number(started), ended: Number(ended) };
    });

describe('zombie writer on a real kernel (kernel tier)', () => {
  it("B fences A with PREEMPT AND ABORT while A's writer runs on; nothing it wrote after the fence reaches the disk", async () => {
    const run = await runJob({ name: 'zombie-writer', job: await job(), timeoutMs: 200_000 });
    const start = JSON.parse(outFile(run, 'start.json')) as {
      startA: string;
      startB: string;
      keys: string[];
      reservation: { key: string; type: number } | null;
    };
    const fence = JSON.parse(outFile(run, 'fence.json')) as {
      register: string;
      fence: { kind: string; method?: string; preempted?: string[] };
      fenceStart: number;
      fenceEnd: number;
      keys: string[];
      reservation: { key: string; type: number } | null;
    };
    const writerA = writerLog(outFile(run, 'writer-a.log'));
    const writerB = writerLog(outFile(run, 'writer-b.log'));
    const live = records(outFile(run, 'disk-b-live.txt'));
    const final = records(outFile(run, 'disk-final.txt'));
    const okA = writerA.filter((w) => w.result === 'ok');
    const errorsA = writerA.filter((w) => w.result !== 'ok');
    const summary = {
      start,
      fence,
      aOk: okA.length,
      aLastOk: okA.at(-1),
      aFirstError: errorsA[0],
      aErrorKinds: [...new Set(errorsA.map((w) => w.result))],
      aAttemptsAfterFence: writerA.filter((w) => w.started >= fence.fenceEnd).length,
      bOk: writerB.filter((w) => w.result === 'ok').length,
      diskA: final.filter((r) => r.who === 'A').length,
      diskB: final.filter((r) => r.who === 'B').length,
      fsckExit: outFile(run, 'fsck-exit').trim(),
      fsckP: outFile(run, 'fsck-p.txt'),
      dmesg: outFile(run, 'dmesg.txt'),
    };
    console.log(`kernel tier: zombie-writer ${JSON.stringify(summary, null, 1)}\n${run.jobLog}`);

    // Both register at start; A holds type 5. B's fence is PREEMPT AND ABORT of A's key.
    expect([start.startA, start.startB]).toEqual(['registered', 'registered']);
    expect(start.reservation?.type).toBe(5);
    const keyA = start.reservation?.key;
    expect(fence.register).toBe('registered');
    expect(fence.fence).toEqual({ kind: 'peer-fenced', method: 'preempt-and-abort', preempted: [keyA] });
    expect(fence.keys).not.toContain(keyA);

    // A's writer wrote before the fence and kept trying after it, and every
    // attempt after the fence failed (I/O errors from the kernel).
    expect(okA.length).toBeGreaterThanOrEqual(20);
    expect(summary.aAttemptsAfterFence).toBeGreaterThan(0);
    expect(okA.filter((w) => w.ended >= fence.fenceEnd)).toEqual([]);
    expect(errorsA.length).toBeGreaterThan(0);
    expect(errorsA[0]!.started).toBeGreaterThanOrEqual(fence.fenceStart - 1000);

    // The disk: A's records are exactly those A's writer had acknowledged
    // (1..last ok, all durable), none started after the fence; B's follow.
    for (const disk of [live, final]) {
      const a = disk.filter((r) => r.who === 'A');
      expect(a.map((r) => r.seq)).toEqual(okA.map((w) => w.seq));
      expect(a.filter((r) => r.started >= fence.fenceEnd)).toEqual([]);
      const b = disk.filter((r) => r.who === 'B');
      expect(b.length).toBeGreaterThanOrEqual(20);
      expect(disk.findIndex((r) => r.who === 'B')).toBe(a.length);
    }
    expect(final).toEqual(live);
    expect(summary.fsckExit).toBe('0');
  });
});
