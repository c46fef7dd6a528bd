// Worker thread owning one /dev/sgN file descriptor. SG_IO blocks the calling
// thread for as long as the device takes, so it runs here and the main event
// loop (heartbeats, watchdog) keeps ticking. Started by sg-device.ts; the
// loop itself is worker-loop.ts, here given the real system calls.
import { closeSync, constants, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { askRealtime } from '../../sched/realtime.ts';
import { nativeIoctl } from './ffi.ts';
import type { SgWorkerData } from './protocol.ts';
import { serveSgWorker } from './worker-loop.ts';

if (parentPort === null) throw new Error('hal/scsi/sg/worker.ts must run as a worker thread');
const data = workerData as SgWorkerData;
// The disk heartbeat waits on this thread, which started at SCHED_OTHER (the
// main thread's policy resets on fork). A refusal needs no report: the main
// thread was granted the same request by the same kernel a moment ago.
if (data.realtime === true) askRealtime();
serveSgWorker(parentPort, data.path, {
  // O_NONBLOCK: open must not wait for an exclusive opener to go away.
  open: (path) => openSync(path, constants.O_RDWR | constants.O_NONBLOCK),
  // Loaded on the first command, as before: a worker that only opens never needs libc.
  ioctl: (fd, request, argType, arg) => nativeIoctl()(fd, request, argType, arg),
  close: (fd) => closeSync(fd),
});
