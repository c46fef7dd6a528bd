import { describe, expect, it } from 'vitest';
import { Asc, describeAsc, lookupAsc } from '../../../hal/scsi/asc.ts';
import { checkResult } from '../../../hal/scsi/check.ts';
import { ScsiStatus } from '../../../hal/scsi/device.ts';
import type { ScsiResult } from '../../../hal/scsi/device.ts';
import { ScsiError, isScsiError } from '../../../hal/scsi/errors.ts';
import { SenseKey } from '../../../hal/scsi/sense-data.ts';
import { decodeSense, encodeSense } from '../../../hal/scsi/sense.ts';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const result = (
  status: number,
  sense: Uint8Array = new Uint8Array(0),
  data: Uint8Array = new Uint8Array(0),
): ScsiResult => ({
  status,
  sense,
  data,
  residual: 0,
});

function thrown(fn: () => unknown): ScsiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScsiError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('sense decoding', () => {
  it('fixed format: key in byte 2, ASC/ASCQ in 12/13, INFORMATION in 3-6 when VALID', () => {
    const s = bytes(0xf0, 0, 0x03, 0, 0, 0x01, 0x00, 10, 0, 0, 0, 0, 0x11, 0x00, 0, 0, 0, 0);
    expect(decodeSense(s)).toEqual({
      format: 'fixed',
      current: true,
      senseKey: SenseKey.MEDIUM_ERROR,
      asc: 0x11,
      ascq: 0,
      information: 256n,
      descriptors: [],
      truncated: false,
    });
  });

  it('fixed format, deferred (0x71), truncated before ASC', () => {
    const d = decodeSense(bytes(0x71, 0, 0x06, 0, 0, 0, 0, 10));
    expect(d).toMatchObject({ current: false, senseKey: 6, asc: 0, ascq: 0, truncated: true });
  });

  it('descriptor format: key/ASC/ASCQ in bytes 1-3 plus an information descriptor', () => {
    const s = bytes(0x72, 0x03, 0x11, 0x00, 0, 0, 0, 12, 0x00, 0x0a, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34);
    const d = decodeSense(s);
    expect(d).toMatchObject({
      format: 'descriptor',
      current: true,
      senseKey: 3,
      asc: 0x11,
      information: 0x1234n,
      truncated: false,
    });
    expect(d.descriptors).toHaveLength(1);
  });

  it('descriptor that overruns the sense is reported as truncated, not read out of bounds', () => {
    const d = decodeSense(bytes(0x72, 0x06, 0x2a, 0x03, 0, 0, 0, 12, 0x00, 0x0a, 0x80));
    expect(d).toMatchObject({ senseKey: 6, asc: 0x2a, ascq: 3, truncated: true, descriptors: [] });
  });

  it('round-trips encodeSense in both formats', () => {
    for (const format of ['fixed', 'descriptor'] as const) {
      const d = decodeSense(encodeSense({ format, senseKey: 3, asc: 0x11, ascq: 0, information: 77n }));
      expect(d).toMatchObject({
        format,
        senseKey: 3,
        asc: 0x11,
        ascq: 0,
        information: 77n,
        truncated: false,
      });
    }
  });

  it('rejects bytes that are not sense', () => {
    expect(() => decodeSense(bytes(0x00, 1, 2))).toThrow(/response code/);
    expect(() => decodeSense(new Uint8Array(0))).toThrow(/response code/);
    expect(() => decodeSense(bytes(0x70, 0))).toThrow(/sense key/);
  });

  it('names the ASC/ASCQ pairs fencing cares about', () => {
    expect(lookupAsc(0x29, 0x00)?.id).toBe('power-on-reset');
    expect(lookupAsc(Asc.RESERVATIONS_PREEMPTED.asc, Asc.RESERVATIONS_PREEMPTED.ascq)?.id).toBe(
      'reservations-preempted',
    );
    expect(lookupAsc(0x2a, 0x04)?.id).toBe('reservations-released');
    expect(lookupAsc(0x2a, 0x05)?.id).toBe('registrations-preempted');
    expect(lookupAsc(0x3f, 0x0e)?.id).toBe('reported-luns-changed');
    expect(describeAsc(0x7e, 0x7f)).toBe('ASC/ASCQ 7E/7F');
  });
});

describe('checkResult', () => {
  it('returns data on GOOD', () => {
    expect(checkResult(result(ScsiStatus.GOOD, undefined, bytes(1, 2)), 'READ(16)')).toEqual(bytes(1, 2));
  });

  it('status-only errors', () => {
    expect(thrown(() => checkResult(result(0x18), 'WRITE(16)')).kind).toBe('reservation-conflict');
    expect(thrown(() => checkResult(result(0x08), 'x')).kind).toBe('busy');
    expect(thrown(() => checkResult(result(0x08), 'x')).code).toBe('busy');
    expect(thrown(() => checkResult(result(0x28), 'x')).kind).toBe('task-set-full');
    expect(thrown(() => checkResult(result(0x40), 'x')).kind).toBe('task-aborted');
    expect(thrown(() => checkResult(result(0x99), 'x')).kind).toBe('unexpected-status');
  });

  it.each([
    [SenseKey.UNIT_ATTENTION, 0x29, 0x00, 'unit-attention', 'power-on-reset'],
    [SenseKey.UNIT_ATTENTION, 0x2a, 0x03, 'unit-attention', 'reservations-preempted'],
    [SenseKey.UNIT_ATTENTION, 0x2a, 0x05, 'unit-attention', 'registrations-preempted'],
    [SenseKey.ILLEGAL_REQUEST, 0x24, 0x00, 'illegal-request', 'invalid-field-in-cdb'],
    [SenseKey.ILLEGAL_REQUEST, 0x20, 0x00, 'illegal-request', 'invalid-opcode'],
    [SenseKey.ILLEGAL_REQUEST, 0x26, 0x00, 'illegal-request', 'invalid-field-in-parameter-list'],
    [SenseKey.NOT_READY, 0x04, 0x01, 'not-ready', 'becoming-ready'],
    [SenseKey.MEDIUM_ERROR, 0x11, 0x00, 'medium-error', 'unrecovered-read-error'],
    [SenseKey.HARDWARE_ERROR, 0x44, 0x00, 'hardware-error', 'internal-target-failure'],
    [SenseKey.ABORTED_COMMAND, 0x47, 0x00, 'aborted-command', 'scsi-parity-error'],
    [SenseKey.DATA_PROTECT, 0x27, 0x00, 'data-protect', 'write-protected'],
  ])('CHECK CONDITION key %i %i/%i -> %s (%s)', (key, asc, ascq, kind, condition) => {
    for (const format of ['fixed', 'descriptor'] as const) {
      const err = thrown(() =>
        checkResult(result(2, encodeSense({ format, senseKey: key, asc, ascq })), 'PR OUT'),
      );
      expect(isScsiError(err, kind as ScsiError['kind'])).toBe(true);
      expect(err.condition).toBe(condition);
      expect(err.asc).toBe(asc);
      expect(err.ascq).toBe(ascq);
      expect(err.message).toContain('PR OUT');
    }
  });

  it('CHECK CONDITION with no or garbage sense is unknown-sense', () => {
    expect(thrown(() => checkResult(result(2), 'x')).kind).toBe('unknown-sense');
    expect(thrown(() => checkResult(result(2, bytes(0x12, 0x34)), 'x')).kind).toBe('unknown-sense');
  });
});
