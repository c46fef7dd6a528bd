// Validates the witness area's header sector on the shared LUN, or formats
// it when the area is blank. Only an all-zero header is ever written: any
// other content (a different box's header, foreign data, a torn write) is
// refused with a typed error, since overwriting it could destroy something
// that is not ours. Both controllers may format at once; either header is
// fine, so we re-read and validate whatever won.
import { randomBytes } from 'node:crypto';
import { readCapacity16, read16, write16 } from '../../hal/scsi/commands.ts';
import type { ScsiDevice } from '../../hal/scsi/device.ts';
import { SECTOR_BYTES } from '../cluster/sector.ts';
import {
  WITNESS_SECTOR_COUNT,
  decodeWitnessHeader,
  encodeWitnessHeader,
  witnessLba,
  type WitnessArea,
  type WitnessHeader,
} from '../cluster/witness-layout.ts';

export class WitnessAreaError extends Error {
  readonly code: 'too-small' | 'foreign' | 'wrong-box' | 'bad-block-size';
  constructor(code: WitnessAreaError['code'], message: string) {
    super(message);
    this.name = 'WitnessAreaError';
    this.code = code;
  }
}

export interface HeaderCheck {
  readonly header: WitnessHeader;
  readonly initialised: boolean;
  /** Set when the header's timing differs from ours (both sides should match). */
  readonly timingMismatch?: string;
}

export async function prepareWitnessHeader(
  dev: ScsiDevice,
  area: WitnessArea,
  want: { boxId: number; intervalMs: number; deadtimeMs: number },
  timeoutMs: number,
): Promise<HeaderCheck> {
  const cap = await readCapacity16(dev, { timeoutMs });
  if (cap.blockLength !== SECTOR_BYTES) {
    throw new WitnessAreaError('bad-block-size', `LUN block size ${cap.blockLength}, witness needs 512`);
  }
  const end =
    area.baseLba +
    (area.sectorCount > BigInt(WITNESS_SECTOR_COUNT) ? area.sectorCount : BigInt(WITNESS_SECTOR_COUNT));
  if (end > cap.lastLba + 1n) {
    throw new WitnessAreaError(
      'too-small',
      `witness area ends at LBA ${end}, LUN has ${cap.lastLba + 1n} blocks`,
    );
  }
  const lba = witnessLba(area, { kind: 'header' });
  let initialised = false;
  let decoded = decodeWitnessHeader(await read16(dev, lba, 1, SECTOR_BYTES, { timeoutMs }));
  if (!decoded.ok && decoded.error.code === 'zeroed') {
    const header = encodeWitnessHeader({ ...want, uuid: randomBytes(16) });
    await write16(dev, lba, header, { fua: true, timeoutMs });
    initialised = true;
    decoded = decodeWitnessHeader(await read16(dev, lba, 1, SECTOR_BYTES, { timeoutMs }));
  }
  if (!decoded.ok) {
    throw new WitnessAreaError(
      'foreign',
      `witness header at LBA ${lba}: ${decoded.error.detail}; not overwriting`,
    );
  }
  const header = decoded.value;
  if (header.boxId !== want.boxId) {
    throw new WitnessAreaError(
      'wrong-box',
      `witness header belongs to box ${header.boxId}, we are ${want.boxId}`,
    );
  }
  const mismatch =
    header.intervalMs !== want.intervalMs || header.deadtimeMs !== want.deadtimeMs
      ? `header says interval ${header.intervalMs}/deadtime ${header.deadtimeMs} ms, we run ${want.intervalMs}/${want.deadtimeMs}`
      : undefined;
  return mismatch === undefined ? { header, initialised } : { header, initialised, timingMismatch: mismatch };
}
