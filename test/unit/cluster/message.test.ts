import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_HEARTBEAT_BYTES,
  MAX_SENT_HEARTBEAT_BYTES,
  MIN_HEARTBEAT_BYTES,
  MIN_SENT_HEARTBEAT_BYTES,
  decodeHeartbeat,
  encodeHeartbeat,
  type Heartbeat,
} from '../../../firmware/cluster/message.ts';
import { macOf } from '../../../firmware/cluster/hmac.ts';
import { PROTOCOL } from '../../../firmware/cluster/protocol.ts';
import { BOX, KEY, OTHER_KEY, VERSIONS, heartbeat } from './fixtures.ts';

// With the fixtures' firmware version '0.1.0' (5 bytes) the envelope ends at 36.
const BODY = 36;

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
    // magic, layout 3, protocol 1.1, controller 'B', box id
    expect(Buffer.from(bytes.subarray(0, 12)).toString('hex')).toBe('544448420301014200c0ffee');
    // config schema u16, firmware version length and text
    expect(Buffer.from(bytes.subarray(28, 36)).toString('hex')).toBe('0001' + '05' + '302e312e30');
    expect(bytes[BODY]).toBe(2); // role standby
    expect(bytes[BODY + 18]).toBe(3);
    expect(bytes[BODY + 19]).toBe(1);
    // group count, resource count, an empty extension area, the tag
    expect(Buffer.from(bytes.subarray(BODY + 20, BODY + 24)).toString('hex')).toBe('00000000');
    expect(bytes.length).toBe(BODY + 24 + 32);
    const oneByteVersion = encodeHeartbeat(
      heartbeat({
        versions: { ...VERSIONS, firmwareVersion: '1' },
        groups: [],
        health: { seesPeer: 3, diskAccess: true, resources: [] },
      }),
      KEY,
    );
    expect(oneByteVersion.length).toBe(MIN_SENT_HEARTBEAT_BYTES);
    expect(MIN_HEARTBEAT_BYTES).toBeLessThan(MIN_SENT_HEARTBEAT_BYTES);
  });

  it('round-trips the versions: protocol, firmware version, config schema', () => {
    const versions = {
      protocol: { major: PROTOCOL.major, minor: 7 },
      firmwareVersion: 'v1.2.3-rc.1+g0ab_c',
      configSchema: 0xfffe,
    };
    const decoded = decodeHeartbeat(encodeHeartbeat(heartbeat({ versions }), KEY), KEY);
    expect(decoded.ok && decoded.value.versions).toEqual(versions);
  });

  it('refuses to encode bad versions', () => {
    const enc = (v: Partial<Heartbeat['versions']>) => () =>
      encodeHeartbeat(heartbeat({ versions: { ...VERSIONS, ...v } }), KEY);
    expect(enc({ firmwareVersion: '' })).toThrow(/firmwareVersion/);
    expect(enc({ firmwareVersion: 'x'.repeat(33) })).toThrow(/firmwareVersion/);
    expect(enc({ firmwareVersion: '1.0 beta' })).toThrow(/firmwareVersion/);
    expect(enc({ configSchema: 0x10000 })).toThrow(/configSchema/);
    expect(enc({ protocol: { major: 256, minor: 0 } })).toThrow(/protocol/);
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
    expect(Buffer.from(bytes.subarray(BODY + 14, BODY + 18)).toString('hex')).toBe('01020304');
    expect(bytes[BODY + 19]).toBe(2);
    const decoded = decodeHeartbeat(bytes, KEY);
    expect(decoded.ok && decoded.value.maintenance).toEqual({ on: true, epoch: 0x01020304 });
    expect(() => encodeHeartbeat(heartbeat({ maintenance: { on: false, epoch: 2 ** 32 } }), KEY)).toThrow(
      /maintenanceEpoch/,
    );
  });

  it('fits a witness slot even when every list is full', () => {
    const name = (i: number) => `n${i}`.padEnd(16, 'x');
    const full = heartbeat({
      versions: { ...VERSIONS, firmwareVersion: 'v'.repeat(32) },
      groups: Array.from({ length: 8 }, (_, i) => name(i)),
      health: {
        seesPeer: 15,
        diskAccess: true,
        resources: Array.from({ length: 8 }, (_, i) => ({ name: name(i), health: 'ok' as const })),
      },
    });
    const bytes = encodeHeartbeat(full, KEY);
    expect(bytes.length).toBe(MAX_SENT_HEARTBEAT_BYTES);
    // A slot holds 512 bytes less its 8-byte header and 4-byte CRC: room left for newer minors.
    expect(MAX_SENT_HEARTBEAT_BYTES).toBeLessThan(MAX_HEARTBEAT_BYTES);
    expect(MAX_HEARTBEAT_BYTES).toBe(512 - 12);
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
    [7, 0x43, 'controller'],
    [30, 0, 'firmwareVersion'],
    [30, 33, 'firmwareVersion'],
    [31, 0x20, 'firmwareVersion'], // a space
    [BODY, 0, 'role'],
    [BODY + 1, 99, 'state'],
    [BODY + 18, 0x10, 'seesPeer'],
    [BODY + 19, 0x04, 'flags'],
    [BODY + 20, 9, 'groupCount'],
    [BODY + 21, 0, 'groups[0]'],
    [BODY + 22, 0x2d, 'groups[0]'], // name may not start with '-'
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
      versions: fc.record({
        protocol: fc.record({ major: fc.constant(PROTOCOL.major), minor: fc.nat({ max: 255 }) }),
        firmwareVersion: fc.stringMatching(/^[\w.+-]{1,32}$/),
        configSchema: fc.nat({ max: 0xffff }),
      }),
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

/** The body without its tag, and a re-signed message from a body. */
const bodyOf = (bytes: Uint8Array): Uint8Array => bytes.subarray(0, bytes.length - 32);
function sign(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 32);
  out.set(body);
  out.set(macOf(KEY, body), body.length);
  return out;
}

/** What a newer minor would send: `extension` in the extension area (before the tag). */
function withExtension(msg: Heartbeat, extension: Uint8Array, extLength = extension.length): Uint8Array {
  const body = bodyOf(encodeHeartbeat(msg, KEY));
  const out = new Uint8Array(body.length + extension.length);
  out.set(body);
  out[body.length - 2] = extLength >> 8;
  out[body.length - 1] = extLength & 0xff;
  out.set(extension, body.length);
  return sign(out);
}

describe('heartbeat versions on the wire (docs/heartbeat.md, Versions)', () => {
  it('a newer minor: fields appended in the extension area are skipped by this decoder', () => {
    const newer = heartbeat({
      versions: { ...VERSIONS, protocol: { major: PROTOCOL.major, minor: PROTOCOL.minor + 1 } },
    });
    const ext = Uint8Array.of(0x01, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef);
    const decoded = decodeHeartbeat(withExtension(newer, ext), KEY);
    expect(decoded).toEqual({ ok: true, value: newer });
  });

  it('an extension area as large as the slot allows still decodes; one byte more is too long', () => {
    const msg = heartbeat();
    const room = MAX_HEARTBEAT_BYTES - encodeHeartbeat(msg, KEY).length;
    expect(decodeHeartbeat(withExtension(msg, new Uint8Array(room).fill(7)), KEY).ok).toBe(true);
    expect(decodeHeartbeat(withExtension(msg, new Uint8Array(room + 1)), KEY)).toMatchObject({
      error: { code: 'too-long' },
    });
  });

  it('an extension length that runs off the end, or leaves bytes behind, is refused with a named error', () => {
    const msg = heartbeat();
    expect(decodeHeartbeat(withExtension(msg, new Uint8Array(4), 5), KEY)).toMatchObject({
      error: { code: 'short', field: 'extension' },
    });
    expect(decodeHeartbeat(withExtension(msg, new Uint8Array(4), 3), KEY)).toMatchObject({
      error: { code: 'trailing-bytes' },
    });
    // The extension length itself cut off: the body ends inside it.
    const body = bodyOf(encodeHeartbeat(msg, KEY));
    expect(decodeHeartbeat(sign(body.subarray(0, body.length - 1)), KEY)).toMatchObject({
      error: { code: 'short', field: 'extension.length' },
    });
  });

  it('another major: authenticated, refused as other-major with its envelope, body unread', () => {
    const versions = {
      protocol: { major: PROTOCOL.major + 1, minor: 0 },
      firmwareVersion: '0.2.0',
      configSchema: 2,
    };
    // A body this decoder could not read: a future major may lay it out in any way.
    const body = bodyOf(encodeHeartbeat(heartbeat({ versions, seq: 77 }), KEY));
    const envelopeEnd = 31 + versions.firmwareVersion.length;
    const foreign = new Uint8Array(envelopeEnd + 3);
    foreign.set(body.subarray(0, envelopeEnd));
    foreign.set([0xff, 0xff, 0xff], envelopeEnd);
    const r = decodeHeartbeat(sign(foreign), KEY);
    expect(r).toMatchObject({
      ok: false,
      error: {
        code: 'other-major',
        envelope: { boxId: BOX, controller: 'B', seq: 77, incarnation: heartbeat().incarnation, versions },
      },
    });
    expect(!r.ok && r.error.detail).toMatch(/protocol 2\.0/);
  });

  it('another major with a bad tag is bad-mac, never other-major: nothing unauthenticated is read', () => {
    const versions = { ...VERSIONS, protocol: { major: PROTOCOL.major + 1, minor: 0 } };
    const r = decodeHeartbeat(encodeHeartbeat(heartbeat({ versions }), OTHER_KEY), KEY);
    expect(r).toMatchObject({ error: { code: 'bad-mac' } });
  });

  it('the layout 2 of earlier firmware is bad-version (its byte 4 is 2)', () => {
    const old = encodeHeartbeat(heartbeat(), KEY).slice();
    old[4] = 2;
    expect(decodeHeartbeat(sign(bodyOf(old)), KEY)).toMatchObject({ error: { code: 'bad-version' } });
  });

  it('garbage of every length behind a valid magic and layout is refused, never thrown (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 520 }), (tail) => {
        const bytes = new Uint8Array(5 + tail.length);
        bytes.set([0x54, 0x44, 0x48, 0x42, 3]);
        bytes.set(tail, 5);
        const r = decodeHeartbeat(sign(bytes.subarray(0, Math.max(0, bytes.length - 32))), KEY);
        if (r.ok) expect(r.value.versions.protocol.major).toBe(PROTOCOL.major);
        else expect(r.error.code).toMatch(/^(short|too-long|bad-field|trailing-bytes|other-major)$/);
      }),
      { numRuns: 2000 },
    );
  });
});
