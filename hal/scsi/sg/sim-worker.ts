// The SG worker with the sim kernel in place of the real system calls: the
// same loop as worker.ts (worker-loop.ts), the same buffers and header code
// (ffi.ts, header.ts), with ioctl/open/close answered by sim-kernel.ts over
// the line SimSgHost.deviceOptions() hands in as workerData.port.
import { parentPort, workerData } from 'node:worker_threads';
import type { SgWorkerData } from './protocol.ts';
import { simSgSyscalls } from './sim-kernel.ts';
import { portLine } from './sim-line.ts';
import { serveSgWorker } from './worker-loop.ts';

const data = workerData as SgWorkerData;
if (parentPort === null) throw new Error('hal/scsi/sg/sim-worker.ts must run as a worker thread');
if (data.port === undefined)
  throw new Error('sim-worker.ts needs workerData.port: use SimSgHost.deviceOptions()');
serveSgWorker(parentPort, data.path, simSgSyscalls(portLine(data.port)));
