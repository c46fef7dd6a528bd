import { describe, expect, it } from 'vitest';
import { RegistryCommands } from '../../../firmware/commands/dispatch.ts';
import type { EventQuery, LoggedEvent } from '../../../firmware/events/types.ts';
import { fakeContext } from './fake-context.ts';

const LOG: LoggedEvent[] = [
  {
    id: 1,
    ts: 1000,
    monoMs: 0,
    severity: 'warning',
    source: 'cluster',
    code: 'PEER_SUSPECT',
    message: '',
    data: null,
  },
  {
    id: 2,
    ts: 4000,
    monoMs: 0,
    severity: 'critical',
    source: 'cluster',
    code: 'PEER_DEAD',
    message: '',
    data: null,
  },
  {
    id: 3,
    ts: 9000,
    monoMs: 0,
    severity: 'critical',
    source: 'alarms',
    code: 'TAKEOVER',
    message: 'ALARM: took over',
    data: { action: 'raise', subject: 'A', params: { reason: 'B was silent' } },
  },
  {
    id: 4,
    ts: 9500,
    monoMs: 0,
    severity: 'info',
    source: 'resource:db/pr',
    code: 'RESOURCE_STARTED',
    message: 'reservation pr start: ok',
    data: null,
  },
];

describe('takeovers command', () => {
  it('reads each code it needs from the event log and answers the history', async () => {
    const asked: EventQuery[] = [];
    const ctx = {
      ...fakeContext(),
      events: {
        query: (q: EventQuery = {}) => {
          asked.push(q);
          return LOG.filter((e) => e.code === q.code);
        },
      },
    };
    const r = await new RegistryCommands(ctx, 'viewer').handle({
      command: 'takeovers',
      args: { limit: 5 },
      transaction: 't',
    });
    expect(r.data).toEqual({
      takeovers: [
        {
          at: 9000,
          kind: 'takeover',
          by: 'A',
          from: 'B',
          reason: 'B was silent',
          totalMs: 8500,
          phases: [
            { name: 'detected', ms: 3000 },
            { name: 'fenced', ms: 5000 },
            { name: 'disk', ms: 500 },
          ],
        },
      ],
    });
    expect(asked.every((q) => q.limit !== undefined && q.limit <= 10_000)).toBe(true);
    const bad = await new RegistryCommands(ctx).handle({
      command: 'takeovers',
      args: { limit: 51 },
      transaction: 't',
    });
    expect(bad.error).toBe('args.limit: must be an integer from 1 to 50');
  });
});
