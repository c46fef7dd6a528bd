// Common envelope of every witness-area sector: exactly 512 bytes, a 4- or
// 8-byte magic, zero padding, and a CRC-32 in the last 4 bytes over the
// first 508. The CRC catches torn and partially written sectors; a zeroed
// sector (never written, or wiped) is reported as such, since callers treat
// it differently from corruption.
import { crc32 } from 'node:zlib';
import { allZero } from './wire-io.ts';
import { err, ok, type Result } from '../core/result.ts';

export const SECTOR_BYTES = 512;
export const CRC_OFFSET = SECTOR_BYTES - 4;

export type SectorErrorCode =
  'bad-size' | 'zeroed' | 'bad-crc' | 'bad-magic' | 'bad-version' | 'bad-field' | 'bad-mac';

export interface SectorError {
  readonly code: SectorErrorCode;
  readonly field?: string;
  readonly detail: string;
}

/** Copy `body` into a fresh sector, zero-pad it and stamp the CRC. */
export function sealSector(body: Uint8Array): Uint8Array {
  if (body.byteLength > CRC_OFFSET) throw new RangeError(`sector body of ${body.byteLength} bytes too large`);
  const sector = new Uint8Array(SECTOR_BYTES);
  sector.set(body);
  new DataView(sector.buffer).setUint32(CRC_OFFSET, crc32(sector.subarray(0, CRC_OFFSET)));
  return sector;
}

/** Check size, zeroing, CRC, magic and version; return the 508 covered bytes. */
export function openSector(
  sector: Uint8Array,
  magic: Uint8Array,
  version: number,
): Result<Uint8Array, SectorError> {
  if (sector.byteLength !== SECTOR_BYTES) {
    return err({ code: 'bad-size', detail: `${sector.byteLength} bytes, expected ${SECTOR_BYTES}` });
  }
  if (allZero(sector)) return err({ code: 'zeroed', detail: 'sector is all zeros (never written?)' });
  const view = new DataView(sector.buffer, sector.byteOffset, sector.byteLength);
  const body = sector.subarray(0, CRC_OFFSET);
  if (crc32(body) !== view.getUint32(CRC_OFFSET)) {
    return err({ code: 'bad-crc', detail: 'CRC-32 mismatch (torn or corrupted write)' });
  }
  for (let i = 0; i < magic.byteLength; i++) {
    if (sector[i] !== magic[i]) return err({ code: 'bad-magic', detail: 'unexpected magic' });
  }
  if (sector[magic.byteLength] !== version) {
    return err({ code: 'bad-version', detail: `version ${sector[magic.byteLength]}, expected ${version}` });
  }
  return ok(body);
}

export function sectorFieldError(field: string, detail: string): { ok: false; error: SectorError } {
  return err({ code: 'bad-field', field, detail });
}
