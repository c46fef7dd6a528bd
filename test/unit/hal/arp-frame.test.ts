// Our ARP frames byte for byte (as IPaddr2/keepalived announce and RFC 5227
// probes), and the parser against the untrusted input a raw socket delivers.
import fc from 'fast-check';
import { endianness } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  ARP_FRAME_LEN,
  encodeArpFrame,
  encodeArpProbe,
  encodeGratuitousArp,
  encodeSockaddrLl,
  parseArpFrame,
} from '../../../hal/net/arp-frame.ts';
import type { ArpPacket } from '../../../hal/net/arp-frame.ts';

const MAC = '02:00:5e:10:00:01';
const VIP = '198.18.200.10'; // c6 12 c8 0a

/** Hex with spaces and line breaks ignored, for readable expected frames. */
const hex = (text: string): string => text.replace(/\s+/g, '');
const PADDING = '00'.repeat(60 - 42);

describe('ARP frame encoders', () => {
  it('gratuitous ARP: broadcast request, sender IP = target IP = the VIP, zero target MAC', () => {
    expect(encodeGratuitousArp(MAC, VIP).toString('hex')).toBe(
      hex(`
        ffffffffffff 02005e100001 0806
        0001 0800 06 04 0001
        02005e100001 c612c80a
        000000000000 c612c80a
      `) + PADDING,
    );
  });

  it('DAD probe (RFC 5227): sender IP 0.0.0.0, target IP the address, zero target MAC', () => {
    expect(encodeArpProbe('02:00:5E:10:00:01', VIP).toString('hex')).toBe(
      hex(`
        ffffffffffff 02005e100001 0806
        0001 0800 06 04 0001
        02005e100001 00000000
        000000000000 c612c80a
      `) + PADDING,
    );
  });

  it('pads to the 60-byte Ethernet minimum', () => {
    expect(encodeGratuitousArp(MAC, VIP).length).toBe(60);
    expect(ARP_FRAME_LEN).toBe(42);
  });

  it('refuses malformed addresses and ops (programming errors)', () => {
    expect(() => encodeGratuitousArp('02:00:5e:10:00', VIP)).toThrow(RangeError);
    expect(() => encodeGratuitousArp(MAC, '198.18.200')).toThrow(RangeError);
    expect(() => encodeArpProbe(MAC, '198.18.200.256')).toThrow(RangeError);
    const arp: ArpPacket = { op: 0x10000, senderMac: MAC, senderIp: VIP, targetMac: MAC, targetIp: VIP };
    expect(() => encodeArpFrame(MAC, arp)).toThrow(RangeError);
  });
});

describe('parseArpFrame', () => {
  const reply = (): Buffer =>
    encodeArpFrame(MAC, {
      op: 2,
      senderMac: '3E:4A:0C:F2:D6:37',
      senderIp: VIP,
      targetMac: MAC,
      targetIp: '0.0.0.0',
    });

  it('decodes what the encoders build', () => {
    expect(parseArpFrame(encodeGratuitousArp(MAC, VIP))).toEqual({
      ok: true,
      arp: { op: 1, senderMac: MAC, senderIp: VIP, targetMac: '00:00:00:00:00:00', targetIp: VIP },
    });
    expect(parseArpFrame(reply())).toEqual({
      ok: true,
      arp: { op: 2, senderMac: '3e:4a:0c:f2:d6:37', senderIp: VIP, targetMac: MAC, targetIp: '0.0.0.0' },
    });
  });

  it('accepts an unpadded 42-byte frame, and a frame inside a larger buffer', () => {
    expect(parseArpFrame(reply().subarray(0, 42)).ok).toBe(true);
    const big = Buffer.alloc(100, 0x55);
    reply().copy(big, 7);
    expect(parseArpFrame(big.subarray(7, 7 + 42))).toEqual(parseArpFrame(reply()));
  });

  it('reports short frames at every cut', () => {
    const frame = reply();
    for (let len = 0; len < 42; len++) {
      expect(parseArpFrame(frame.subarray(0, len)), `length ${len}`).toEqual({ ok: false, reason: 'short' });
    }
  });

  it('rejects other EtherTypes, hardware/protocol types and address lengths', () => {
    const patched = (offset: number, bytes: number[]): Buffer => {
      const f = reply();
      f.set(bytes, offset);
      return f;
    };
    expect(parseArpFrame(patched(12, [0x08, 0x00]))).toEqual({ ok: false, reason: 'not-arp' }); // IPv4
    expect(parseArpFrame(patched(12, [0x81, 0x00]))).toEqual({ ok: false, reason: 'not-arp' }); // VLAN tag
    expect(parseArpFrame(patched(12, [0x80, 0x35]))).toEqual({ ok: false, reason: 'not-arp' }); // RARP
    expect(parseArpFrame(patched(14, [0x00, 0x06]))).toEqual({ ok: false, reason: 'not-ethernet-ipv4' }); // IEEE 802
    expect(parseArpFrame(patched(16, [0x86, 0xdd]))).toEqual({ ok: false, reason: 'not-ethernet-ipv4' }); // IPv6
    expect(parseArpFrame(patched(18, [8]))).toEqual({ ok: false, reason: 'bad-address-length' });
    expect(parseArpFrame(patched(19, [16]))).toEqual({ ok: false, reason: 'bad-address-length' });
    expect(parseArpFrame(patched(18, [0, 0]))).toEqual({ ok: false, reason: 'bad-address-length' });
  });

  it('only an EtherType is needed to say "not ARP"; a non-ARP header cut short is still not ARP', () => {
    expect(parseArpFrame(Buffer.from('ffffffffffff02005e1000010800', 'hex'))).toEqual({
      ok: false,
      reason: 'not-arp',
    });
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) => {
        const r = parseArpFrame(bytes);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips any Ethernet/IPv4 ARP packet, with any trailing bytes', () => {
    const mac = fc
      .uint8Array({ minLength: 6, maxLength: 6 })
      .map((b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':'));
    const ip = fc.ipV4();
    fc.assert(
      fc.property(
        fc.record({
          op: fc.integer({ min: 0, max: 0xffff }),
          senderMac: mac,
          senderIp: ip,
          targetMac: mac,
          targetIp: ip,
        }),
        mac,
        fc.uint8Array({ maxLength: 40 }),
        (arp, dst, tail) => {
          const frame = Buffer.concat([encodeArpFrame(dst, arp).subarray(0, 42), tail]);
          expect(parseArpFrame(frame)).toEqual({ ok: true, arp });
        },
      ),
    );
  });
});

describe('encodeSockaddrLl', () => {
  it('lays out struct sockaddr_ll (host order, protocol big-endian)', () => {
    expect(endianness()).toBe('LE'); // x86_64 and aarch64 alike
    const sll = encodeSockaddrLl({ protocol: 0x0806, ifindex: 7, hatype: 1, addr: Buffer.alloc(6, 0xff) });
    expect(sll.toString('hex')).toBe(hex('1100 0806 07000000 0100 00 06 ffffffffffff0000'));
    expect(encodeSockaddrLl({ protocol: 0, ifindex: 3 }).toString('hex')).toBe(
      hex('1100 0000 03000000 0000 00 00 0000000000000000'),
    );
  });

  it('refuses an address longer than sll_addr and a bad ifindex', () => {
    expect(() => encodeSockaddrLl({ protocol: 0, ifindex: 1, addr: new Uint8Array(9) })).toThrow(RangeError);
    expect(() => encodeSockaddrLl({ protocol: 0, ifindex: -1 })).toThrow(RangeError);
    expect(() => encodeSockaddrLl({ protocol: 0, ifindex: 1.5 })).toThrow(RangeError);
  });
});
