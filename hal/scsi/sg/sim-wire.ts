// Messages on the line between the sim kernel (in the SG worker thread) and
// SimSgHost (on the main thread, next to the shared SimScsiTarget). The
// kernel's side is synchronous, as ioctl(2) is: it posts a request and
// sleeps on `flag` (Atomics.wait) until the host posts the reply and sets it.
import type { SgDxfer } from './constants.ts';

/** One command as the kernel took it from user memory. */
export interface SimSgCommand {
  readonly cdb: Uint8Array;
  readonly direction: SgDxfer;
  /** The bytes at dxferp for TO_DEV; empty otherwise. */
  readonly dataOut: Uint8Array;
  readonly dxferLen: number;
  readonly timeoutMs: number;
  /** The 88 header bytes exactly as received, for tests to inspect. */
  readonly header: Uint8Array;
}

/** What the target or the HBA made of it: a completion, or an ioctl errno. */
export type SimSgAnswer =
  | {
      readonly kind: 'done';
      readonly status: number;
      /** Sense data, for CHECK CONDITION. */
      readonly sense: Uint8Array;
      /** Data-in returned by the target. */
      readonly data: Uint8Array;
      /** DID_* of the HBA; DID_OK when the target answered. */
      readonly hostStatus: number;
    }
  | { readonly kind: 'errno'; readonly errno: number };

export type SimOpenAnswer =
  { readonly kind: 'fd'; readonly fd: number } | { readonly kind: 'errno'; readonly errno: number };

/** Worker → host. `flag` is an Int32Array on a SharedArrayBuffer. */
export type SimLineRequest =
  | { readonly op: 'open'; readonly seq: number; readonly flag: Int32Array; readonly path: string }
  | {
      readonly op: 'command';
      readonly seq: number;
      readonly flag: Int32Array;
      readonly fd: number;
      readonly cmd: SimSgCommand;
    }
  | { readonly op: 'close'; readonly fd: number }
  | { readonly op: 'violation'; readonly problem: string; readonly header: Uint8Array };

/** Host → worker, then `flag` set to 1 and notified. */
export interface SimLineReply {
  readonly seq: number;
  readonly answer: SimSgAnswer | SimOpenAnswer;
}
