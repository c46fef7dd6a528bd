// The asking side of the peer command channel: run(name, args) sends one
// signed request and resolves with the peer's Outcome. It never throws and
// never rejects: a request too large, a send that fails, a response that
// does not parse and the deadline all come back as an Outcome error naming
// the peer. The request is sent again every `retryMs` (a new attempt,
// signed anew) until the deadline; the peer runs it once and answers every
// attempt with the same response.
import type { ControllerId } from '../cluster/codes.ts';
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import { fail, type Outcome } from '../commands/define.ts';
import { parseBoundedJson } from '../core/bounded-json.ts';
import type { CommandName } from '../core/envelope.ts';
import { LIMITS } from '../core/limits.ts';
import { encodeBody, MAX_ATTEMPT, MAX_BODY_BYTES, newRequestId, type PeerHeader } from './wire.ts';

export interface PeerRunOptions {
  /** The whole wait, retries included (default 5000 ms). */
  readonly timeoutMs?: number;
  /** Between attempts (default: a quarter of the timeout, 200..1000 ms). */
  readonly retryMs?: number;
}

export const DEFAULT_PEER_TIMEOUT_MS = 5000;

export interface PeerClientOptions {
  readonly peer: ControllerId;
  readonly clock: Clock;
  /** Signs (now) and sends one attempt; resolves with an error text, or rejects, when it cannot. */
  readonly send: (id: string, attempt: number, body: Uint8Array) => Promise<string | undefined>;
  readonly count: (reason: string) => void;
}

interface Waiting {
  readonly name: CommandName;
  readonly finish: (outcome: Outcome) => void;
}

export class PeerClient {
  private readonly o: PeerClientOptions;
  private readonly waiting = new Map<string, Waiting>();

  constructor(options: PeerClientOptions) {
    this.o = options;
  }

  /** Requests waiting for their answer now. */
  get pending(): number {
    return this.waiting.size;
  }

  run(name: CommandName, args: object, options: PeerRunOptions = {}): Promise<Outcome> {
    const { peer, clock } = this.o;
    const timeoutMs = options.timeoutMs ?? DEFAULT_PEER_TIMEOUT_MS;
    const retryMs = options.retryMs ?? Math.min(1000, Math.max(200, Math.floor(timeoutMs / 4)));
    const body = encodeBody({ command: name, args });
    if (body === undefined)
      return Promise.resolve(fail(`peer ${peer}: ${name}: the arguments cannot be sent as JSON`));
    if (body.byteLength > MAX_BODY_BYTES)
      return Promise.resolve(
        fail(
          `peer ${peer}: ${name}: request of ${body.byteLength} bytes is over the ${MAX_BODY_BYTES}-byte limit`,
        ),
      );
    const id = newRequestId();
    return new Promise<Outcome>((resolve) => {
      let attempt = 0;
      let lastSendError: string | undefined;
      let retry: TimerHandle | undefined;
      const finish = (outcome: Outcome): void => {
        if (!this.waiting.has(id)) return;
        this.waiting.delete(id);
        deadline.cancel();
        retry?.cancel();
        resolve(outcome);
      };
      const send = (): void => {
        if (!this.waiting.has(id) || attempt >= MAX_ATTEMPT) return;
        attempt += 1;
        this.o.send(id, attempt, body).then(
          (problem) => {
            lastSendError = problem;
          },
          (err: unknown) => {
            lastSendError = err instanceof Error ? err.message : String(err);
          },
        );
        retry = clock.after(retryMs, send);
      };
      const deadline = clock.after(timeoutMs, () => {
        this.o.count('timeout');
        finish(
          fail(
            `peer ${peer}: no answer to ${name} within ${timeoutMs} ms (${attempt} attempt${attempt === 1 ? '' : 's'}${lastSendError !== undefined ? `; last send: ${lastSendError}` : ''})`,
          ),
        );
      });
      this.waiting.set(id, { name, finish });
      send();
    });
  }

  /** A whole, MAC-checked response from the peer. Never throws. */
  receive(header: PeerHeader, body: Uint8Array): void {
    const w = this.waiting.get(header.id);
    if (w === undefined) return this.o.count('unexpected-response');
    const parsed = parseBoundedJson(body, LIMITS.peerResponse, 'response');
    if (!parsed.ok) {
      this.o.count('bad-response');
      return w.finish(fail(`peer ${this.o.peer}: ${w.name}: ${parsed.error}`));
    }
    const r = parsed.value as { ok?: unknown; data?: unknown; error?: unknown } | null;
    if (typeof r === 'object' && r !== null && r.ok === true) return w.finish({ ok: true, data: r.data });
    if (typeof r === 'object' && r !== null && r.ok === false && typeof r.error === 'string')
      return w.finish(fail(r.error));
    this.o.count('bad-response');
    w.finish(fail(`peer ${this.o.peer}: ${w.name}: response is not an outcome {ok, data|error}`));
  }

  /** Every waiting request ends with `why` (the channel stops). */
  cancelAll(why: string): void {
    for (const w of [...this.waiting.values()]) w.finish(fail(`peer ${this.o.peer}: ${w.name}: ${why}`));
  }
}
