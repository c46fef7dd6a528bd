// Typed errors for the HAL. Callers branch on `code`, never on message text.

export type HalErrorCode =
  | 'not-open'
  | 'closed'
  | 'timeout'
  | 'io'
  | 'disconnected'
  | 'busy'
  | 'invalid-argument'
  | 'not-supported'
  | 'injected-fault'
  | 'protocol';

export class HalError extends Error {
  readonly code: HalErrorCode;
  readonly device: string;

  constructor(code: HalErrorCode, device: string, message: string, options?: ErrorOptions) {
    super(`${device}: ${message}`, options);
    this.name = 'HalError';
    this.code = code;
    this.device = device;
  }
}

export function isHalError(err: unknown, code?: HalErrorCode): err is HalError {
  return err instanceof HalError && (code === undefined || err.code === code);
}

/** The message of anything thrown: an Error's message, else the value as a string. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Anything thrown, as an Error (to reject a promise or emit 'error' with). */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** For a crash report: the stack where there is one, else the message. */
export function errorReport(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
