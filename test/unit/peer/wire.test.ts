// The peer channel's datagrams: a body survives fragmentation, and the
// decoder never throws and refuses every truncation and bit flip.
import { describe, expect, it } from 'vitest';
import { MAX_DATAGRAM_BYTES } from '../../../hal/net/datagram.ts';
import { PeerAssembler } from '../../../firmware/peer/assembler.ts';
import { ReplayGuard } from '../../../firmware/peer/replay-guard.ts';
import {
  decodeFragment,
  encodeMessage,
  MAX_BODY_BYTES,
  newRequestId,
  type PeerHeader,
} from '../../../firmware/peer/wire.ts';

const KEY = new Uint8Array(32).fill(3);
const header = (): PeerHeader => ({
  kind: 'request',
  sender: 'A',
  attempt: 1,
  boxId: 42,
  id: newRequestId(),
  sentAtMs: 1_700_000_000_000,
});

describe('peer wire', () => {
  it('cuts a 16 KiB body into signed datagrams that put back together', () => {
    const body = new Uint8Array(MAX_BODY_BYTES).map((_, i) => i % 251);
    const datagrams = encodeMessage(header(), body, KEY);
    expect(datagrams.length).toBeGreaterThan(1);
    for (const d of datagrams) expect(d.byteLength).toBeLessThanOrEqual(MAX_DATAGRAM_BYTES);
    const assembler = new PeerAssembler();
    let whole: ReturnType<PeerAssembler['add']>;
    for (const d of [...datagrams].reverse()) {
      const f = decodeFragment(d, KEY);
      if (!f.ok) throw new Error(f.error);
      whole = assembler.add(f.value, 0);
    }
    expect(whole?.body).toEqual(Buffer.from(body));
    expect(assembler.size).toBe(0);
    expect(() => encodeMessage(header(), new Uint8Array(MAX_BODY_BYTES + 1), KEY)).toThrow(/16384-byte/);
  });

  it('refuses every truncation and every bit flip, without throwing', () => {
    const [d] = encodeMessage(header(), Buffer.from('{"command":"status","args":{}}'), KEY);
    if (d === undefined) throw new Error('no datagram');
    for (let n = 0; n < d.byteLength; n++) expect(decodeFragment(d.subarray(0, n), KEY).ok).toBe(false);
    for (let bit = 0; bit < d.byteLength * 8; bit++) {
      const flipped = new Uint8Array(d);
      flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      expect(decodeFragment(flipped, KEY).ok).toBe(false);
    }
    expect(decodeFragment(d, new Uint8Array(32)).ok).toBe(false);
    expect(decodeFragment(d, KEY).ok).toBe(true);
  });

  it('the replay guard: new, retry, replay, stale, and ids forgotten only after twice the window', () => {
    const g = new ReplayGuard({ windowMs: 1000, maxIds: 2 });
    expect(g.check('a', 1, 10_000, 10_000, 0).kind).toBe('new');
    expect(g.check('a', 1, 10_000, 10_000, 1).kind).toBe('replay');
    g.answered('a', [new Uint8Array([1])]);
    expect(g.check('a', 2, 10_100, 10_100, 2)).toEqual({ kind: 'retry', answer: [new Uint8Array([1])] });
    expect(g.check('a', 2, 10_100, 10_100, 3).kind).toBe('replay');
    expect(g.check('b', 1, 10_000, 12_000, 4).kind).toBe('stale');
    expect(g.check('b', 1, 10_000, 10_000, 5).kind).toBe('new');
    expect(g.check('c', 1, 10_000, 10_000, 6).kind).toBe('busy');
    expect(g.check('c', 1, 12_000, 12_000, 2_500).kind).toBe('new');
    expect(g.size).toBe(1);
  });
});
