// Typed errors for the lab. The CLI prints `message` and exits non-zero; tests
// and callers branch on `code`.

export type LabErrorCode =
  | 'not-root'
  | 'missing-commands'
  | 'command-failed'
  | 'usage'
  | 'not-up'
  | 'powered-off'
  | 'timeout'
  | 'bad-state'
  | 'lab-busy';

export class LabError extends Error {
  readonly code: LabErrorCode;
  constructor(code: LabErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LabError';
    this.code = code;
  }
}
