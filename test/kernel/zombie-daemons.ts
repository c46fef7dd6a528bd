// What test/kernel/zombie-writer.test.ts gives its two daemons, and how it
// reads back what they and their writers left: configs, event lines, writer
// logs and the records on the disk.
import { randomBytes } from 'node:crypto';
import { REPO } from '../../tools/kernel/guest.ts';

const KEY = randomBytes(32).toString('hex');
export const SERVICE_SH = `${REPO}/test/kernel/guest/writer-service.sh`;
/** The LUN is 64 MB: ext4 takes the first 56, the heartbeat's witness slots sit above it. */
const WITNESS_LBA = 57 * 2048;

/** A controller's config; the job puts its own sg and sd nodes for @SG@ and @SD@. */
export function daemonConfig(c: 'A' | 'B', tools: { node: string; writerJs: string }): unknown {
  const me = c === 'A' ? '127.0.0.1' : '127.0.0.2';
  const peer = c === 'A' ? '127.0.0.2' : '127.0.0.1';
  const lc = c.toLowerCase();
  const writer = (verb: string) => [
    '/bin/sh',
    SERVICE_SH,
    verb,
    tools.node,
    tools.writerJs,
    c,
    `/run/mnt-${lc}`,
    `/run/ctl-${lc}`,
  ];
  return {
    box: { id: 'kernel-box' },
    cluster: {
      key: KEY,
      // Two daemons, two writers and LIO share two TCG vCPUs, and the host
      // may be busy too: with 2.5 s a loaded run saw the peer flap dead and
      // alive nine times. A stall of 5 s is still a dead peer.
      heartbeat: { intervalMs: 500, warntimeMs: 2000, deadtimeMs: 5000, initdeadMs: 60_000 },
      serial: { enabled: false },
      network: { enabled: true, localAddress: me, peerAddress: peer, port: 7788 },
      disk: { transport: 'sg', sgDevice: '@SG@', lun: 0, witnessLba: WITNESS_LBA, witnessSectors: 4096 },
    },
    failover: { fenceDelayMs: 0, watchdog: { enabled: false } },
    groups: [
      {
        name: 'data',
        preferred: 'A',
        resources: [
          { type: 'reservation', name: 'lun', luns: [0] },
          {
            type: 'filesystem',
            name: 'fs',
            device: '@SD@',
            mountpoint: `/run/mnt-${lc}`,
            fsck: 'when-unclean',
            monitorIntervalMs: 2000,
          },
          {
            type: 'service',
            name: 'writer',
            start: writer('start'),
            stop: writer('stop'),
            status: writer('status'),
            monitorIntervalMs: 2000,
          },
        ],
      },
    ],
    mqtt: { enabled: false },
  };
}

export interface DaemonEvent {
  readonly ts: number;
  readonly code: string;
  readonly message: string;
  readonly data: Record<string, unknown>;
}

/** The daemon's stdout: one JSON event per line (anything else is skipped). */
export function daemonEvents(text: string): DaemonEvent[] {
  const out: DaemonEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    const v = JSON.parse(line) as Partial<DaemonEvent>;
    if (typeof v.code === 'string' && typeof v.ts === 'number')
      out.push({ ts: v.ts, code: v.code, message: v.message ?? '', data: v.data ?? {} });
  }
  return out;
}

export interface WriterLine {
  readonly run: string;
  readonly seq: number;
  readonly result: string;
  readonly started: number;
  readonly ended: number;
}

/** writer.log: "RUN SEQ RESULT STARTED ENDED" per record attempt. */
export function writerLines(text: string): WriterLine[] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [run = '', seq = '', result = '', started = '', ended = ''] = l.split(' ');
      return { run, seq: Number(seq), result, started: Number(started), ended: Number(ended) };
    });
}

export interface DiskRecord {
  readonly run: string;
  readonly seq: number;
  readonly started: number;
}

/** records.log on the LUN: "RUN SEQ STARTED" padded with dots to 64 bytes. */
export function diskRecords(text: string): DiskRecord[] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [run = '', seq = '', started = ''] = l.replace(/\.+$/, '').split(' ');
      return { run, seq: Number(seq), started: Number(started) };
    });
}
