import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHeartbeat, encodeHeartbeat } from '../../../firmware/cluster/message.ts';
import {
  decodeMailbox,
  decodeWitnessHeader,
  decodeWitnessSlot,
  encodeMailbox,
  encodeWitnessHeader,
  encodeWitnessSlot,
  witnessLba,
  type MailboxMessage,
} from '../../../firmware/cluster/witness-layout.ts';
import { BOX, KEY, OTHER_KEY, heartbeat } from './fixtures.ts';

const area = { baseLba: 2048n, sectorCount: 10240n };
const header = { boxId: BOX, intervalMs: 100, deadtimeMs: 1000, uuid: new Uint8Array(16).fill(7) };
const mail: MailboxMessage = { to: 'B', from: 'A', cmd: 'fence-self', boxId: BOX, seq: 9 };

describe('witness area layout', () => {
  it('places header, slots and mailboxes at fixed offsets from the base LBA', () => {
    expect(witnessLba(area, { kind: 'header' })).toBe(2048n);
    expect(witnessLba(area, { kind: 'slot', controller: 'A' })).toBe(2049n);
    expect(witnessLba(area, { kind: 'slot', controller: 'B' })).toBe(2050n);
    expect(witnessLba(area, { kind: 'mailbox', controller: 'A' })).toBe(2051n);
    expect(witnessLba(area, { kind: 'mailbox', controller: 'B' })).toBe(2052n);
    expect(() => witnessLba({ baseLba: 0n, sectorCount: 4n }, { kind: 'header' })).toThrow(RangeError);
    expect(() => witnessLba({ baseLba: 2n ** 64n - 2n, sectorCount: 5n }, { kind: 'header' })).toThrow(
      RangeError,
    );
  });

  it('round-trips the header', () => {
    const sector = encodeWitnessHeader(header);
    expect(sector.length).toBe(512);
    expect(Buffer.from(sector.subarray(0, 8)).toString()).toBe('TDWITNES');
    expect(decodeWitnessHeader(sector)).toEqual({ ok: true, value: header });
  });

  it('round-trips a slot holding a signed heartbeat that still authenticates', () => {
    const msg = encodeHeartbeat(heartbeat(), KEY);
    const slot = decodeWitnessSlot(encodeWitnessSlot({ controller: 'B', message: msg }), 'B');
    expect(slot).toEqual({ ok: true, value: { controller: 'B', message: msg } });
    if (slot.ok) expect(decodeHeartbeat(slot.value.message, KEY).ok).toBe(true);
  });

  it('refuses a slot read from the other controller position', () => {
    const sector = encodeWitnessSlot({ controller: 'B', message: encodeHeartbeat(heartbeat(), KEY) });
    expect(decodeWitnessSlot(sector, 'A')).toMatchObject({
      error: { code: 'bad-field', field: 'controller' },
    });
  });

  it('round-trips a mailbox message and refuses a forged one', () => {
    expect(decodeMailbox(encodeMailbox(mail, KEY), 'B', KEY)).toEqual({ ok: true, value: mail });
    expect(decodeMailbox(encodeMailbox(mail, OTHER_KEY), 'B', KEY)).toMatchObject({
      error: { code: 'bad-mac' },
    });
    expect(decodeMailbox(encodeMailbox(mail, KEY), 'A', KEY)).toMatchObject({ error: { field: 'to' } });
  });

  it('reports zeroed, short, torn and foreign sectors as typed errors', () => {
    const zero = new Uint8Array(512);
    expect(decodeWitnessHeader(zero)).toMatchObject({ error: { code: 'zeroed' } });
    expect(decodeWitnessSlot(zero, 'A')).toMatchObject({ error: { code: 'zeroed' } });
    expect(decodeMailbox(zero, 'A', KEY)).toMatchObject({ error: { code: 'zeroed' } });
    expect(decodeWitnessHeader(new Uint8Array(511))).toMatchObject({ error: { code: 'bad-size' } });
    // Torn write: the first half is new, the second half old (here: zeros).
    const torn = encodeWitnessHeader(header);
    torn.fill(0, 256);
    expect(decodeWitnessHeader(torn)).toMatchObject({ error: { code: 'bad-crc' } });
    // A valid slot sector where a header is expected.
    const slot = encodeWitnessSlot({ controller: 'A', message: encodeHeartbeat(heartbeat(), KEY) });
    expect(decodeWitnessHeader(slot)).toMatchObject({ error: { code: 'bad-magic' } });
  });

  it('never throws on arbitrary sectors and rejects every bit flip (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 512, maxLength: 512 }), (s) => {
        expect(decodeWitnessHeader(s).ok).toBe(false);
        expect(decodeWitnessSlot(s, 'A').ok).toBe(false);
        expect(decodeMailbox(s, 'A', KEY).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
    const good = encodeMailbox(mail, KEY);
    for (let bit = 0; bit < 512 * 8; bit += 3) {
      const bad = good.slice();
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(decodeMailbox(bad, 'B', KEY).ok).toBe(false);
    }
  });
});
