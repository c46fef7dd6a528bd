// The sim kernel's synchronous line to SimSgHost, from inside the SG worker:
// post the request, then sleep in Atomics.wait (blocking this thread as the
// real ioctl does) until the host sets the shared flag. A command the host
// does not answer within its header timeout ends as the kernel ends it, with
// host_status DID_TIME_OUT; its late reply is recognised by seq and dropped.
import { constants } from 'node:os';
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { DidStatus } from './constants.ts';
import type { SimSgLine } from './sim-kernel.ts';
import type { SimLineReply, SimLineRequest, SimOpenAnswer, SimSgAnswer } from './sim-wire.ts';

/** How long open(2) may take before the sim calls the node gone. */
const OPEN_WAIT_MS = 5000;

type Ask =
  | { readonly op: 'open'; readonly path: string }
  | Omit<Extract<SimLineRequest, { op: 'command' }>, 'seq' | 'flag'>;

function isReply(m: unknown): m is SimLineReply {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as { seq?: unknown; answer?: unknown };
  return typeof r.seq === 'number' && typeof r.answer === 'object' && r.answer !== null;
}

export function portLine(port: MessagePort): SimSgLine {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  let seq = 0;

  function ask(req: Ask, waitMs: number): SimLineReply['answer'] | undefined {
    const id = ++seq;
    Atomics.store(flag, 0, 0);
    port.postMessage({ ...req, seq: id, flag } satisfies SimLineRequest);
    const deadline = performance.now() + waitMs;
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      Atomics.wait(flag, 0, 0, left);
      // Clear before draining: a reply posted after the drain sets it again.
      Atomics.store(flag, 0, 0);
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        const reply: unknown = m.message;
        if (isReply(reply) && reply.seq === id) return reply.answer;
        // else: the late answer to a command that already timed out
      }
    }
  }

  return {
    open(path) {
      const a = ask({ op: 'open', path }, OPEN_WAIT_MS);
      if (a === undefined) return { kind: 'errno', errno: constants.errno.ENXIO };
      return a as SimOpenAnswer;
    },
    command(fd, cmd) {
      const a = ask({ op: 'command', fd, cmd }, cmd.timeoutMs);
      if (a === undefined) {
        const none = new Uint8Array(0);
        return { kind: 'done', status: 0, sense: none, data: none, hostStatus: DidStatus.TIME_OUT };
      }
      return a as SimSgAnswer;
    },
    close(fd) {
      port.postMessage({ op: 'close', fd } satisfies SimLineRequest);
    },
    violation(problem, header) {
      port.postMessage({ op: 'violation', problem, header } satisfies SimLineRequest);
    },
  };
}
