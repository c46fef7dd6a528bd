import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHeartbeat, encodeHeartbeat } from '../../../firmware/cluster/message.ts';
import { SerialFrameDecoder, encodeFrame } from '../../../firmware/cluster/serial-framing.ts';
import { KEY, heartbeat } from './fixtures.ts';

const hb = (seq: number) => encodeHeartbeat(heartbeat({ seq }), KEY);
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('serial framing', () => {
  it('round-trips a frame and counts it', () => {
    const d = new SerialFrameDecoder();
    const frames = d.push(encodeFrame(hb(1)));
    expect(frames).toEqual([hb(1)]);
    expect(d.counters()).toMatchObject({ frames: 1, crcErrors: 0, resyncs: 0 });
    expect(d.buffered).toBe(0);
  });

  it('refuses empty or oversize payloads at encode time', () => {
    expect(() => encodeFrame(new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodeFrame(new Uint8Array(20), 10)).toThrow(RangeError);
  });

  it('yields both frames whatever byte the stream is split at', () => {
    const stream = concat(encodeFrame(hb(1)), encodeFrame(hb(2)));
    for (let a = 0; a <= stream.length; a++) {
      for (let b = a; b <= stream.length; b += 7) {
        const d = new SerialFrameDecoder();
        const out = [
          ...d.push(stream.subarray(0, a)),
          ...d.push(stream.subarray(a, b)),
          ...d.push(stream.subarray(b)),
        ];
        expect(out).toEqual([hb(1), hb(2)]);
      }
    }
  });

  it('survives byte-at-a-time delivery', () => {
    const d = new SerialFrameDecoder();
    const out: Uint8Array[] = [];
    for (const byte of encodeFrame(hb(3))) out.push(...d.push(Uint8Array.of(byte)));
    expect(out).toEqual([hb(3)]);
  });

  it('resynchronises after garbage, including fake sync bytes and a lying length', () => {
    const d = new SerialFrameDecoder();
    // A fake header with a self-consistent length of 300: the decoder must not
    // swallow the real frame that follows it.
    const liar = Uint8Array.of(0xa5, 0x5a, 0x01, 0x2c, 0xfe, 0xd3, 1, 2, 3);
    const out = d.push(concat(Uint8Array.of(0, 0xa5, 0xff), liar, encodeFrame(hb(4)), Uint8Array.of(0xa5)));
    out.push(...d.push(new Uint8Array(400)));
    expect(out).toEqual([hb(4)]);
    const c = d.counters();
    expect(c.crcErrors).toBe(1);
    expect(c.resyncs).toBeGreaterThanOrEqual(1);
    expect(c.discardedBytes).toBeGreaterThan(0);
  });

  it('a flipped bit anywhere never yields a frame; the next good frame still arrives', () => {
    const good = encodeFrame(hb(5));
    for (let bit = 0; bit < good.length * 8; bit++) {
      const bad = good.slice();
      bad[bit >> 3]! ^= 1 << (bit & 7);
      const d = new SerialFrameDecoder();
      const out = d.push(concat(bad, encodeFrame(hb(6))));
      out.push(...d.push(new Uint8Array(600))); // flush a bit-flipped long length
      expect(out).toEqual([hb(6)]);
      const c = d.counters();
      expect(c.crcErrors + c.headerErrors + c.resyncs).toBeGreaterThan(0);
    }
  });

  it('recovers every frame from garbage interleaved with frames at random split points (fuzz)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 80 }), fc.nat({ max: 1000 })), { maxLength: 6 }),
        fc.array(fc.nat({ max: 2000 }), { maxLength: 10 }),
        (pieces, cuts) => {
          const frames = pieces.map(([, seq]) => hb(seq));
          const stream = concat(...pieces.flatMap(([garbage], i) => [garbage, encodeFrame(frames[i]!)]));
          const d = new SerialFrameDecoder();
          const out: Uint8Array[] = [];
          let at = 0;
          for (const cut of [...cuts.map((c) => c % (stream.length + 1))].sort((x, y) => x - y)) {
            out.push(...d.push(stream.subarray(at, Math.max(at, cut))));
            at = Math.max(at, cut);
            expect(d.buffered).toBeLessThan(d.maxFrameBytes);
          }
          out.push(...d.push(stream.subarray(at)));
          expect(out).toEqual(frames);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random bytes never throw, stay bounded and never become a valid heartbeat (fuzz)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 2000 }), { maxLength: 8 }), (chunks) => {
        const d = new SerialFrameDecoder();
        for (const c of chunks) {
          for (const f of d.push(c)) expect(decodeHeartbeat(f, KEY).ok).toBe(false);
          expect(d.buffered).toBeLessThan(d.maxFrameBytes);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('bounds its buffer against an endless stream of sync bytes', () => {
    const d = new SerialFrameDecoder(64);
    const noise = new Uint8Array(10_000).map((_, i) => (i % 2 === 0 ? 0xa5 : 0x5a));
    expect(d.push(noise)).toEqual([]);
    expect(d.buffered).toBeLessThan(d.maxFrameBytes);
  });
});
