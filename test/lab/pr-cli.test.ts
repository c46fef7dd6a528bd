// tools/pr (sg_persist-like) run for real inside tdm-a against the lab tgtd.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearLun } from './pr-clean-lun.ts';
import { NETNS, PORTAL, TARGET_IQN, TARGET_LUN } from '../../tools/lab/topology.ts';

const CLI = fileURLToPath(new URL('../../tools/pr/cli.ts', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function pr(args: string[]): Promise<Run> {
  const base = [
    '--transport',
    'iscsi',
    '--portal',
    PORTAL.A,
    '--target',
    TARGET_IQN,
    '--lun',
    String(TARGET_LUN),
  ];
  return new Promise((resolve) => {
    execFile(
      'ip',
      ['netns', 'exec', NETNS.A, process.execPath, CLI, ...base, ...args],
      { timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const json = (r: Run): Record<string, unknown> => JSON.parse(r.stdout.trim()) as Record<string, unknown>;

describe('tools/pr inside tdm-a', () => {
  // Each CLI run is its own tgt session, so its registrations are orphans no
  // later run can remove; clearLun() registers in one session and CLEARs.
  beforeAll(clearLun);
  afterAll(clearLun);

  it('register-ignore, keys, reserve refused for an unregistered session (typed conflict, exit 1), capabilities, reservation, preempt-abort', async () => {
    expect((await pr(['register-ignore', '0x1111'])).code).toBe(0);
    // A new run is a new tgt session: 0x1111 is now an orphan; register a second key and reserve with it.
    expect((await pr(['register-ignore', '0x2222'])).code).toBe(0);
    const keys = json(await pr(['--json', 'keys']));
    expect(keys).toMatchObject({ ok: true, verb: 'keys' });
    expect(keys['keys']).toEqual(['0x0000000000001111', '0x0000000000002222']);
    // This run's session is not registered: tgt answers RESERVATION CONFLICT, exit 1, typed.
    const conflict = await pr(['--json', 'reserve', '0x2222']);
    expect(conflict.code).toBe(1);
    expect(json(conflict)).toMatchObject({ ok: false, error: { kind: 'reservation-conflict' } });

    const caps = json(await pr(['--json', 'capabilities']));
    expect(caps).toMatchObject({ ok: true, tmv: true, ptplC: false, types: [1, 3, 5, 6, 7, 8] });
    const human = await pr(['reservation']);
    expect(human.stdout).toMatch(/no reservation/);
    // PREEMPT AND ABORT from an unregistered session: conflict comes first; tgt refuses PA anyway.
    expect(json(await pr(['--json', 'preempt-abort', '0x3333', '0x1111']))).toMatchObject({ ok: false });
  });

  it('rejects bad arguments with exit 2 and a message naming the argument', async () => {
    const r = await pr(['preempt', '0x1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/preempt takes 2 argument\(s\), got 1/);
  });
});
