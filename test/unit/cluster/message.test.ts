import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_HEARTBEAT_BYTES,
  MIN_HEARTBEAT_BYTES,
  decodeHeartbeat,
  encodeHeartbeat,
  type Heartbeat,
} from '../../../firmware/cluster/message.ts';
import { macOf } from '../../../firmware/cluster/hmac.ts';
import { BOX, KEY, OTHER_KEY, heartbeat } from './fixtures.ts';

/** Re-sign a tampered body so a test reaches the field checks behind the MAC. */
function resign(bytes: Uint8Array): Uint8Array {
  const body = bytes.subarray(0, bytes.length - 32);
  const out = new Uint8Array(bytes.length);
  out.set(body);
  out.set(macOf(KEY, body), body.length);
  return out;
}

describe('heartbeat message', () => {
  it('round-trips every field', () => {
    const msg = heartbeat({
      incarnation: 0xffff_ffff_ffff_ffffn,
      seq: Number.MAX_SAFE_INTEGER,
      groups: ['a', 'grp_2.x-y'],
      health: {
        seesPeer: 0x05,
        diskAccess: false,
        resources: [
          { name: 'vol0', health: 'degraded' },
          { name: 'svc', health: 'stopped' },
        ],
      },
    });
    const decoded = decodeHeartbeat(encodeHeartbeat(msg, KEY), KEY);
    expect(decoded).toEqual({ ok: true, value: msg });
  });

  it('has the documented fixed layout (docs/heartbeat.md)', () => {
    const bytes = encodeHeartbeat(
      heartbeat({ groups: [], health: { seesPeer: 3, diskAccess: true, resources: [] } }),
      KEY,
    );
    expect(bytes.length).toBe(MIN_HEARTBEAT_BYTES);
    expect(Buffer.from(bytes.subarray(0, 12)).toString('hex')).toBe('5444484202420202' + '00c0ffee');
    expect(bytes[44]).toBe(3);
    expect(bytes[45]).toBe(1);
  });

  it('carries the box maintenance mark: flag bit 1 and the epoch after configVersion', () => {
    const bytes = encodeHeartbeat(
      heartbeat({
        groups: [],
        maintenance: { on: true, epoch: 0x01020304 },
        health: { seesPeer: 3, diskAccess: false, resources: [] },
      }),
      KEY,
    );
    expect(Buffer.from(bytes.subarray(40, 44)).toString('hex')).toBe('01020304');
    expect(bytes[45]).toBe(2);
    const decoded = decodeHeartbeat(bytes, KEY);
    expect(decoded.ok && decoded.value.maintenance).toEqual({ on: true, epoch: 0x01020304 });
    expect(() => encodeHeartbeat(heartbeat({ maintenance: { on: false, epoch: 2 ** 32 } }), KEY)).toThrow(
      /maintenanceEpoch/,
    );
  });

  it('fits a witness slot even when every list is full', () => {
    const name = (i: number) => `n${i}`.padEnd(16, 'x');
    const full = heartbeat({
      groups: Array.from({ length: 8 }, (_, i) => name(i)),
      health: {
        seesPeer: 15,
        diskAccess: true,
        resources: Array.from({ length: 8 }, (_, i) => ({ name: name(i), health: 'ok' as const })),
      },
    });
    const bytes = encodeHeartbeat(full, KEY);
    expect(bytes.length).toBe(MAX_HEARTBEAT_BYTES);
    expect(MAX_HEARTBEAT_BYTES).toBeLessThanOrEqual(512 - 12);
    expect(decodeHeartbeat(bytes, KEY).ok).toBe(true);
  });

  it('rejects a message signed with another key', () => {
    const r = decodeHeartbeat(encodeHeartbeat(heartbeat(), OTHER_KEY), KEY);
    expect(r).toMatchObject({ ok: false, error: { code: 'bad-mac' } });
  });

  it('names short, magic, version and trailing problems', () => {
    const good = encodeHeartbeat(heartbeat(), KEY);
    expect(decodeHeartbeat(good.subarray(0, 10), KEY)).toMatchObject({ error: { code: 'short' } });
    expect(decodeHeartbeat(new Uint8Array(600), KEY)).toMatchObject({ error: { code: 'too-long' } });
    const magic = good.slice();
    magic[0] = 0;
    expect(decodeHeartbeat(magic, KEY)).toMatchObject({ error: { code: 'bad-magic' } });
    const version = good.slice();
    version[4] = 9;
    expect(decodeHeartbeat(version, KEY)).toMatchObject({ error: { code: 'bad-version' } });
    const longer = new Uint8Array(good.length + 1);
    longer.set(good.subarray(0, good.length - 32));
    expect(decodeHeartbeat(resign(longer), KEY)).toMatchObject({ error: { code: 'trailing-bytes' } });
  });

  it.each([
    [5, 0x43, 'controller'],
    [6, 0, 'role'],
    [7, 99, 'state'],
    [44, 0x10, 'seesPeer'],
    [45, 0x04, 'flags'],
    [46, 9, 'groupCount'],
    [47, 0, 'groups[0]'],
    [48, 0x2d, 'groups[0]'], // name may not start with '-'
  ])('rejects byte %i = %i as bad-field %s even with a valid MAC', (offset, value, field) => {
    const bytes = encodeHeartbeat(heartbeat(), KEY).slice();
    bytes[offset] = value;
    expect(decodeHeartbeat(resign(bytes), KEY)).toMatchObject({
      ok: false,
      error: { code: 'bad-field', field },
    });
  });

  it('rejects seq above 2^53-1 rather than losing precision', () => {
    const bytes = encodeHeartbeat(heartbeat(), KEY).slice();
    bytes[20] = 0xff;
    expect(decodeHeartbeat(resign(bytes), KEY)).toMatchObject({ error: { code: 'bad-field', field: 'seq' } });
  });

  it('refuses to encode out-of-range fields', () => {
    expect(() => encodeHeartbeat(heartbeat({ boxId: -1 }), KEY)).toThrow(RangeError);
    expect(() => encodeHeartbeat(heartbeat({ groups: ['a', 'a'] }), KEY)).toThrow(/groups/);
    expect(() => encodeHeartbeat(heartbeat({ groups: ['x'.repeat(17)] }), KEY)).toThrow(/groups/);
    expect(() => encodeHeartbeat(heartbeat(), new Uint8Array(16))).toThrow(/key/);
  });

  it('never throws and never accepts arbitrary bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        expect(decodeHeartbeat(bytes, KEY).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects every single-bit flip of a valid message', () => {
    const good = encodeHeartbeat(heartbeat({ boxId: BOX }), KEY);
    for (let bit = 0; bit < good.length * 8; bit++) {
      const bad = good.slice();
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(decodeHeartbeat(bad, KEY).ok).toBe(false);
    }
  });

  it('decodes whatever valid heartbeat it is given (property)', () => {
    const arbName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/);
    const arbMsg: fc.Arbitrary<Heartbeat> = fc.record({
      boxId: fc.nat({ max: 0xffffffff }),
      controller: fc.constantFrom('A' as const, 'B' as const),
      incarnation: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      seq: fc.maxSafeNat(),
      senderMonoMs: fc.maxSafeNat(),
      role: fc.constantFrom('active' as const, 'standby' as const, 'none' as const),
      state: fc.constantFrom('starting' as const, 'active' as const, 'self-fenced' as const),
      groups: fc.uniqueArray(arbName, { maxLength: 8 }),
      configVersion: fc.nat({ max: 0xffffffff }),
      maintenance: fc.record({ on: fc.boolean(), epoch: fc.nat({ max: 0xffffffff }) }),
      health: fc.record({
        seesPeer: fc.nat({ max: 15 }),
        diskAccess: fc.boolean(),
        resources: fc.uniqueArray(
          fc.record({ name: arbName, health: fc.constantFrom('ok' as const, 'failed' as const) }),
          { maxLength: 8, selector: (r) => r.name },
        ),
      }),
    });
    fc.assert(
      fc.property(arbMsg, (m) => {
        expect(decodeHeartbeat(encodeHeartbeat(m, KEY), KEY)).toEqual({ ok: true, value: m });
      }),
    );
  });
});
