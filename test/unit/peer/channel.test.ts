// The peer command channel over real UDP sockets on loopback: controller A
// on 127.0.0.1, B on 127.0.0.2, the same port. A round trip; a lost first
// datagram is retried and the command runs once; a forged MAC, a replayed
// request, a stale one, an oversize or garbage datagram and a command not
// declared for the peer are refused; a silent peer is a timeout Outcome.
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../hal/clock/clock.ts';
import { SystemClock } from '../../../hal/clock/system.ts';
import type { DatagramSocket } from '../../../hal/net/datagram.ts';
import { LinuxDatagramSocket } from '../../../hal/net/datagram-linux.ts';
import type { ControllerId } from '../../../firmware/cluster/codes.ts';
import { commandDef } from '../../../firmware/commands/registry.ts';
import type { CommandContext } from '../../../firmware/commands/context.ts';
import type { CommandRequest, CommandResponse } from '../../../firmware/core/envelope.ts';
import type { EventInput, LoggedEvent } from '../../../firmware/events/types.ts';
import { PeerChannel, peerCommandPort } from '../../../firmware/peer/channel.ts';
import { PEER_PRINCIPAL } from '../../../firmware/peer/server.ts';
import { MAX_BODY_BYTES } from '../../../firmware/peer/wire.ts';

const KEY = new Uint8Array(32).fill(7);
const ADDR: Record<ControllerId, string> = { A: '127.0.0.1', B: '127.0.0.2' };

/** A socket that records what it sends and may drop the first `lose` datagrams. */
class Tap {
  sent: Uint8Array[] = [];
  lose = 0;
  inner: LinuxDatagramSocket | undefined;
  make = (): DatagramSocket => {
    const inner = new LinuxDatagramSocket();
    this.inner = inner;
    const send = inner.send.bind(inner);
    inner.send = (data, address, port) => {
      this.sent.push(new Uint8Array(data));
      if (this.lose > 0) {
        this.lose -= 1;
        return Promise.resolve();
      }
      return send(data, address, port);
    };
    return inner;
  };
}

interface End {
  channel: PeerChannel;
  tap: Tap;
  ran: { request: CommandRequest; more: Partial<CommandContext> }[];
  events: EventInput[];
  /** Characters of filler in the answer's data. */
  filler: { chars: number };
}

const port = peerCommandPort(20_000 + Math.floor(Math.random() * 20_000));
const open: PeerChannel[] = [];

function end(self: ControllerId, clock: Clock = new SystemClock(), key = KEY): End {
  const tap = new Tap();
  const ran: End['ran'] = [];
  const events: EventInput[] = [];
  const filler = { chars: 0 };
  const channel = new PeerChannel({
    clock,
    self,
    boxId: 'box-1',
    key,
    link: { localAddress: ADDR[self], peerAddress: ADDR[self === 'A' ? 'B' : 'A'], port },
    makeSocket: tap.make,
    commands: () => ({
      with: (more) => ({
        handle: (request): Promise<CommandResponse> => {
          ran.push({ request, more });
          return Promise.resolve({
            status: 'ok',
            data: {
              controller: self,
              command: request.command,
              args: request.args,
              ...(filler.chars > 0 ? { filler: 'f'.repeat(filler.chars) } : {}),
            },
            error: null,
            transaction: request.transaction,
          });
        },
      }),
    }),
    events: {
      append: (e) => {
        events.push(e);
        return e as LoggedEvent;
      },
    },
    replayWindowMs: 5000,
  });
  open.push(channel);
  return { channel, tap, ran, events, filler };
}

async function pair(clockA?: Clock): Promise<{ a: End; b: End }> {
  const a = end('A', clockA);
  const b = end('B');
  await a.channel.start();
  await b.channel.start();
  return { a, b };
}

/** Sends raw bytes to B's port from A's address (as a forger on the link would). */
async function inject(data: Uint8Array): Promise<void> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, ADDR.A, r));
  await new Promise<void>((r, j) => s.send(data, port, ADDR.B, (err) => (err ? j(err) : r())));
  s.close();
}

const settle = (ms = 100): Promise<void> => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  for (const c of open.splice(0)) await c.stop();
});

describe('peer command channel (UDP on loopback)', () => {
  it('status is declared for the peer; switchover is not', () => {
    expect(commandDef('status').peer).toBe(true);
    expect(commandDef('switchover').peer).toBeUndefined();
  });

  it('runs a peer command on the other end and returns its Outcome', async () => {
    const { a, b } = await pair();
    const outcome = await a.channel.run('status', {}, { timeoutMs: 2000 });
    expect(outcome).toEqual({ ok: true, data: { controller: 'B', command: 'status', args: {} } });
    expect(b.ran).toHaveLength(1);
    expect(b.ran[0]?.more.onBehalf).toEqual(PEER_PRINCIPAL);
    expect(b.ran[0]?.more.defaultActor).toBe('peer');
    // And the other way on the same sockets.
    const back = await b.channel.run('status', {}, { timeoutMs: 2000 });
    expect(back.ok && (back.data as { controller: string }).controller).toBe('A');
    expect(a.channel.counters.responsesReceived).toBe(1);
  });

  it('a response of several datagrams comes back whole; one over 16 KiB is an error saying so', async () => {
    const { a, b } = await pair();
    b.filler.chars = 10_000;
    const big = await a.channel.run('status', {}, { timeoutMs: 2000 });
    expect(big.ok && (big.data as { filler: string }).filler.length).toBe(10_000);
    expect(b.tap.sent.length).toBeGreaterThanOrEqual(8);
    b.filler.chars = MAX_BODY_BYTES;
    const over = await a.channel.run('status', {}, { timeoutMs: 2000 });
    expect(!over.ok && over.error).toMatch(/^peer B: response of \d+ bytes is over the 16384-byte limit$/);
    expect(b.channel.dropped['response-too-large']).toBe(1);
  });

  it('retries a lost request; the peer runs it once', async () => {
    const { a, b } = await pair();
    a.tap.lose = 1;
    const outcome = await a.channel.run('status', {}, { timeoutMs: 2000, retryMs: 100 });
    expect(outcome.ok).toBe(true);
    expect(b.ran).toHaveLength(1);
    expect(a.tap.sent.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses a command not declared for the peer, with a clear error and an audit event', async () => {
    const { a, b } = await pair();
    const outcome = await a.channel.run('switchover', {}, { timeoutMs: 2000 });
    expect(outcome).toEqual({ ok: false, error: 'peer B: command: switchover may not come from the peer' });
    expect(b.ran).toHaveLength(0);
    expect(b.channel.dropped['not-peer-command']).toBe(1);
    expect(b.events.map((e) => e.code)).toContain('PEER_REFUSED');
  });

  it('refuses bad arguments of a peer command through the registry check', async () => {
    const { a, b } = await pair();
    const outcome = await a.channel.run('status', { bogus: 1 }, { timeoutMs: 2000 });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toMatch(/^peer B: args\.bogus: unknown argument for status/);
    expect(b.ran).toHaveLength(0);
  });

  it('refuses a request over 16 KiB before sending it', async () => {
    const { a } = await pair();
    const outcome = await a.channel.run('status', { big: 'x'.repeat(MAX_BODY_BYTES) }, { timeoutMs: 500 });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toMatch(/over the 16384-byte limit/);
    expect(a.tap.sent).toHaveLength(0);
  });

  it('drops a forged MAC, a replayed request, an oversize datagram and garbage, and keeps working', async () => {
    const { a, b } = await pair();
    expect((await a.channel.run('status', {}, { timeoutMs: 2000 })).ok).toBe(true);
    const captured = a.tap.sent[0];
    if (captured === undefined) throw new Error('nothing captured');
    // The very request again: a replay, not run again, not answered.
    await inject(captured);
    // A flipped bit in the MAC, and one in the signed header.
    const forged = new Uint8Array(captured);
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
    await inject(forged);
    const header = new Uint8Array(captured);
    header[7] = 9; // a later attempt, as a forger would need
    await inject(header);
    await inject(new Uint8Array(4000).fill(0x41));
    await inject(new Uint8Array([1, 2, 3]));
    await inject(
      Buffer.from('TDPC\x01 not a real request at all, but long enough to be read................'),
    );
    await settle();
    expect(b.ran).toHaveLength(1);
    expect(b.channel.dropped['replay']).toBe(1);
    expect(b.channel.dropped['mac']).toBe(3);
    expect(b.channel.dropped['oversize']).toBe(1);
    expect(b.channel.dropped['short']).toBe(1);
    expect(b.channel.counters.responsesSent).toBe(1);
    // Still answering.
    expect((await a.channel.run('status', {}, { timeoutMs: 2000 })).ok).toBe(true);
    expect(b.ran).toHaveLength(2);
  });

  it('a request signed with another key is dropped; the caller times out', async () => {
    const b = end('B');
    await b.channel.start();
    const a = end('A', new SystemClock(), new Uint8Array(32).fill(9));
    await a.channel.start();
    const outcome = await a.channel.run('status', {}, { timeoutMs: 300, retryMs: 100 });
    expect(outcome.ok).toBe(false);
    expect(b.ran).toHaveLength(0);
    expect(b.channel.dropped['mac']).toBeGreaterThanOrEqual(1);
  });

  it('refuses a request signed outside the replay window (clock skew), saying so', async () => {
    const sys = new SystemClock();
    const skewed: Clock = {
      monotonicMs: () => sys.monotonicMs(),
      wallMs: () => sys.wallMs() - 60_000,
      after: (ms, fn) => sys.after(ms, fn),
      every: (ms, fn) => sys.every(ms, fn),
      sleep: (ms) => sys.sleep(ms),
    };
    const { a, b } = await pair(skewed);
    const outcome = await a.channel.run('status', {}, { timeoutMs: 2000 });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toMatch(
      /^peer B: stale: sent 6\d{4} ms from our clock \(window ±5000 ms/,
    );
    expect(b.ran).toHaveLength(0);
    expect(b.channel.dropped['stale']).toBeGreaterThanOrEqual(1);
  });

  it('a silent peer is an Outcome error naming the peer and the deadline', async () => {
    const a = end('A');
    await a.channel.start();
    const started = performance.now();
    const outcome = await a.channel.run('status', {}, { timeoutMs: 300, retryMs: 100 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toMatch(/^peer B: no answer to status within 300 ms \(\d+ attempts/);
    expect(a.channel.counters.requestsSent).toBeGreaterThanOrEqual(2);
  });

  it('without a private link, run answers at once', async () => {
    const channel = new PeerChannel({
      clock: new SystemClock(),
      self: 'A',
      boxId: 'box-1',
      key: KEY,
      link: undefined,
      makeSocket: () => new LinuxDatagramSocket(),
      commands: () => ({ with: () => ({ handle: () => Promise.reject(new Error('unused')) }) }),
      events: { append: (e) => e as LoggedEvent },
    });
    await channel.start();
    const outcome = await channel.run('status', {});
    expect(!outcome.ok && outcome.error).toMatch(/^peer B: status: no private link/);
    await channel.stop();
  });

  it('stopping the channel ends a waiting request with an error', async () => {
    const a = end('A');
    await a.channel.start();
    const pending = a.channel.run('status', {}, { timeoutMs: 5000 });
    await a.channel.stop();
    const outcome = await pending;
    expect(!outcome.ok && outcome.error).toBe('peer B: status: the channel stopped');
  });
});
