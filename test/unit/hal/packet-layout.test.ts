// The AF_PACKET/ARP layouts and constants our own ARP uses, checked against
// the kernel and libc headers compiled natively (x86_64) and for aarch64 (the
// controller's CPU), as ioctl-layout.test.ts does for the ioctl structs. We
// encode sockaddr_ll by hand (no koffi struct), so the last test reads our
// encoder's bytes back at the offsets the headers give.
import { describe, expect, it } from 'vitest';
import { encodeSockaddrLl } from '../../../hal/net/arp-frame.ts';
import { PACKET_CONSTANTS, PACKET_STRUCTS } from '../../../hal/net/packet-uapi.ts';
import { asSortedRecord, claimsToProbeValues, probeAssembly, probeNative } from './headers/probe.ts';

const CLAIMS = { structs: PACKET_STRUCTS, constants: PACKET_CONSTANTS };
const claimed = asSortedRecord(claimsToProbeValues(CLAIMS));

describe('AF_PACKET uAPI layout', () => {
  it('matches the native headers (cc, run)', async () => {
    if (process.arch !== 'x64')
      throw new Error(`native layout test expects x86_64, running on ${process.arch}`);
    expect(asSortedRecord(await probeNative('packet.c'))).toEqual(claimed);
  });

  it('matches the aarch64 headers (cross-compiled, read from assembly)', async () => {
    const values = await probeAssembly(
      'aarch64-linux-gnu-gcc',
      'gcc-aarch64-linux-gnu (and libc6-dev-arm64-cross)',
      'packet.c',
    );
    expect(asSortedRecord(values)).toEqual(claimed);
  });

  it('encodes sockaddr_ll at the header offsets, sll_protocol in network order', async () => {
    const values = await probeNative('packet.c');
    const off = (member: string): number => Number(values.get(`off__sockaddr_ll__${member}`));
    const sll = encodeSockaddrLl({
      protocol: 0x0806,
      ifindex: 0x01020304,
      hatype: 1,
      pkttype: 3,
      addr: Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff),
    });
    expect(sll.length).toBe(Number(values.get('size__sockaddr_ll')));
    // Host order: both supported CPUs are little-endian.
    expect(sll.readUInt16LE(off('sll_family'))).toBe(Number(values.get('const__AF_PACKET')));
    expect(sll.readUInt16BE(off('sll_protocol'))).toBe(0x0806);
    expect(sll.readInt32LE(off('sll_ifindex'))).toBe(0x01020304);
    expect(sll.readUInt16LE(off('sll_hatype'))).toBe(1);
    expect(sll[off('sll_pkttype')]).toBe(3);
    expect(sll[off('sll_halen')]).toBe(6);
    expect(sll.subarray(off('sll_addr')).toString('hex')).toBe('aabbccddeeff0000');
  });
});
