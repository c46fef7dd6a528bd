// tandemctl log --follow: the last events, then every new one as it is
// written, until Ctrl-C. It polls the log command with an afterId cursor;
// here the daemon is a list of events answered as the log command does
// (afterId: the oldest past the cursor first), and time is the sleeps.
import { describe, expect, it } from 'vitest';
import { UnreachableError } from '../../../firmware/console/client.ts';
import {
  FOLLOW_BATCH,
  FOLLOW_POLL_MS,
  followLog,
  withFollowHelp,
  type FollowIo,
} from '../../../firmware/console/follow.ts';
import type { CommandResponse } from '../../../firmware/core/envelope.ts';
import { inUtc } from './utc-zone.ts';

const T0 = Date.UTC(2026, 10, 5, 12, 0, 0);

inUtc();

interface Ev {
  id: number;
  ts: number;
  severity: string;
  source: string;
  code: string;
  message: string;
}

/** A daemon whose log holds `events`; answers as the log command (newest first). */
function daemon() {
  const events: Ev[] = [];
  const asked: Record<string, unknown>[] = [];
  let down = false;
  let refuse: string | null = null;
  const add = (n: number, severity = 'info') => {
    for (let i = 0; i < n; i++) {
      const id = events.length + 1;
      events.push({
        id,
        ts: T0 + id * 1000,
        severity,
        source: 'cluster',
        code: `E${id}`,
        message: `event ${id}`,
      });
    }
  };
  const request = (args: Record<string, unknown>): Promise<CommandResponse> => {
    asked.push(args);
    if (down) return Promise.reject(new UnreachableError('cannot reach the daemon at /x: ECONNREFUSED'));
    if (refuse !== null)
      return Promise.resolve({ status: 'error', data: null, error: refuse, transaction: 't' });
    const limit = Number(args['limit'] ?? 100);
    const after = args['afterId'];
    let rows = events.filter((e) => args['severity'] !== 'warning' || e.severity === 'warning');
    if (typeof after === 'number') rows = rows.filter((e) => e.id > after).slice(0, limit);
    else rows = rows.slice(-limit);
    return Promise.resolve({ status: 'ok', data: { events: rows.reverse() }, error: null, transaction: 't' });
  };
  return {
    add,
    asked,
    request,
    setDown: (v: boolean) => (down = v),
    setRefuse: (v: string | null) => (refuse = v),
  };
}

/** Io whose sleeps run `script` steps (one per poll) and then press Ctrl-C. */
function io(d: ReturnType<typeof daemon>, script: (() => void)[], json = false) {
  const ac = new AbortController();
  const out: string[] = [];
  const err: string[] = [];
  const sleeps: number[] = [];
  const f: FollowIo = {
    request: d.request,
    out: (t) => out.push(...t.split('\n')),
    err: (t) => err.push(t),
    color: false,
    json,
    signal: ac.signal,
    sleep: (ms) => {
      sleeps.push(ms);
      const step = script.shift();
      if (step === undefined) ac.abort();
      else step();
      return Promise.resolve();
    },
  };
  return { f, out, err, sleeps };
}

describe('tandemctl log --follow', () => {
  it('prints the last 10 events, then each new one as it comes, until Ctrl-C', async () => {
    const d = daemon();
    d.add(15);
    const { f, out, err, sleeps } = io(d, [() => d.add(2), () => {}, () => d.add(1)]);
    expect(await followLog({}, f)).toBe('interrupted');
    expect(out[0]).toMatch(/^TIME\s+SEVERITY\s+SOURCE\s+CODE\s+MESSAGE$/);
    expect(out.slice(1).map((l) => /event (\d+)$/.exec(l)?.[1])).toEqual([
      '6',
      '7',
      '8',
      '9',
      '10',
      '11',
      '12',
      '13',
      '14',
      '15',
      '16',
      '17',
      '18',
    ]);
    expect(out[1]).toBe('2026-11-05 12:00:06Z  info      cluster  E6    event 6');
    expect(err).toEqual([]);
    // First the screen, then the cursor moves with what was printed.
    expect(d.asked).toEqual([
      { limit: 10 },
      { limit: FOLLOW_BATCH, afterId: 15 },
      { limit: FOLLOW_BATCH, afterId: 17 },
      { limit: FOLLOW_BATCH, afterId: 17 },
    ]);
    expect(sleeps.every((ms) => ms === FOLLOW_POLL_MS)).toBe(true);
    expect(FOLLOW_POLL_MS).toBe(500);
  });

  it('keeps the filters on every poll; --limit sets the first screen only; --after starts there', async () => {
    const d = daemon();
    d.add(3);
    const { f } = io(d, [() => d.add(1)]);
    await followLog({ severity: 'warning', source: 'cluster', since: 5, limit: 2 }, f);
    expect(d.asked[0]).toEqual({ severity: 'warning', source: 'cluster', since: 5, limit: 2 });
    expect(d.asked[1]).toEqual({
      severity: 'warning',
      source: 'cluster',
      since: 5,
      limit: FOLLOW_BATCH,
      afterId: 0,
    });
    const e = daemon();
    e.add(5);
    const { f: g, out } = io(e, []);
    await followLog({ afterId: 3 }, g);
    expect(e.asked[0]).toEqual({ limit: 10, afterId: 3 });
    expect(out.slice(1).map((l) => /event (\d+)$/.exec(l)?.[1])).toEqual(['4', '5']);
  });

  it('reads a burst larger than one batch without a gap, without waiting between full batches', async () => {
    const d = daemon();
    const { f, out, sleeps } = io(d, [() => d.add(FOLLOW_BATCH * 2 + 5)]);
    await followLog({}, f);
    const ids = out.slice(1).map((l) => Number(/event (\d+)$/.exec(l)?.[1]));
    expect(ids).toEqual(Array.from({ length: FOLLOW_BATCH * 2 + 5 }, (_, i) => i + 1));
    // One sleep before the burst, none between its batches, one after it (then Ctrl-C).
    expect(sleeps).toHaveLength(2);
  });

  it('an empty log: the header, then the events as they come', async () => {
    const d = daemon();
    const { f, out } = io(d, [() => d.add(1)]);
    await followLog({}, f);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^TIME/);
    expect(out[1]).toMatch(/event 1$/);
    expect(d.asked[1]).toEqual({ limit: FOLLOW_BATCH, afterId: 0 });
  });

  it('a daemon that goes away is retried, said once, and picked up where it was', async () => {
    const d = daemon();
    d.add(2);
    const { f, out, err } = io(d, [
      () => d.setDown(true),
      () => {},
      () => {
        d.setDown(false);
        d.add(1);
      },
    ]);
    expect(await followLog({}, f)).toBe('interrupted');
    expect(err).toEqual([
      `tandemctl: log: cannot reach the daemon at /x: ECONNREFUSED; still trying every ${FOLLOW_POLL_MS} ms`,
      'tandemctl: log: the daemon answers again',
    ]);
    expect(out.slice(1).map((l) => /event (\d+)$/.exec(l)?.[1])).toEqual(['1', '2', '3']);
  });

  it('no daemon at the start is unreachable, as for any command; a refusal ends it', async () => {
    const d = daemon();
    d.setDown(true);
    const a = io(d, []);
    expect(await followLog({}, a.f)).toBe('unreachable');
    expect(a.err).toEqual(['tandemctl: cannot reach the daemon at /x: ECONNREFUSED']);
    const e = daemon();
    const b = io(e, [() => e.setRefuse('args.afterId: must be an integer')]);
    expect(await followLog({}, b.f)).toBe('daemon');
    expect(b.err).toEqual(['tandemctl: log: args.afterId: must be an integer']);
  });

  it('--json: one JSON line per event, oldest first', async () => {
    const d = daemon();
    d.add(2);
    const { f, out } = io(d, [() => d.add(1)], true);
    await followLog({}, f);
    expect(out.map((l) => (JSON.parse(l) as { id: number }).id)).toEqual([1, 2, 3]);
  });

  it('Ctrl-C during a request ends at once', async () => {
    const ac = new AbortController();
    const out: string[] = [];
    const pending = followLog(
      {},
      {
        request: () => {
          ac.abort();
          return new Promise(() => {});
        },
        out: (t) => out.push(t),
        err: () => {},
        color: false,
        json: false,
        signal: ac.signal,
      },
    );
    expect(await pending).toBe('interrupted');
    expect(out).toEqual([]);
  });

  it('help log shows --follow', () => {
    const help = withFollowHelp(
      'usage: tandemctl log [--limit N]\n\narguments:\n  --limit N  x\n\nrole: viewer',
    );
    const lines = help.split('\n');
    expect(lines[0]).toBe('usage: tandemctl log [--limit N] [--follow]');
    expect(lines[4]).toMatch(
      /^ {2}--follow {20}show the last 10 events \(or --limit N\), then keep printing/,
    );
    expect(lines.every((l) => l.length <= 100)).toBe(true);
    expect(lines.at(-2)).toBe('');
    expect(lines.at(-1)).toBe('role: viewer');
  });
});
