// The SG device as the guest scripts open it. They run as JavaScript emitted
// by tools/kernel/transpile.ts, where the driver's default worker URL
// (./worker.ts next to sg-device) does not exist: point it at the emitted
// worker instead, so the worker thread does not load the type stripper either.
import { openSgDevice } from '../../../hal/scsi/sg/index.ts';
import type { SgDevice } from '../../../hal/scsi/sg/index.ts';

const ext = import.meta.url.endsWith('.js') ? 'js' : 'ts';
const workerUrl = new URL(`../../../hal/scsi/sg/worker.${ext}`, import.meta.url);

export function openSg(path: string): Promise<SgDevice> {
  return openSgDevice({ path, workerUrl });
}
