// The receiving side of the peer command channel: one whole, MAC-checked
// request in, one response out. The request is untrusted even so (the box
// key authenticates the sender, not what it asks): the replay guard first
// (stale, replayed, retried), then bounded JSON, then the command: only
// one whose declaration says `peer: true` runs, through the one dispatch,
// for the principal PEER_PRINCIPAL (admin), and a command that needs more
// than a viewer leaves an audit event (PEER_ACTION or PEER_REFUSED) as the
// web socket's do. Every refusal is an Outcome error sent back to the peer;
// only replays (and what fails the MAC, in channel.ts) are dropped unanswered.
import { admit } from '../commands/check.ts';
import type { CommandContext, OnBehalf } from '../commands/context.ts';
import { fail, type Outcome, type Role } from '../commands/define.ts';
import { commandNamed } from '../commands/registry.ts';
import { auditArgs } from '../console/on-behalf.ts';
import type { ControllerId } from '../cluster/codes.ts';
import { parseBoundedJson } from '../core/bounded-json.ts';
import type { CommandHandler, CommandResponse } from '../core/envelope.ts';
import { LIMITS } from '../core/limits.ts';
import type { EventSink } from '../events/types.ts';
import { errorMessage } from '../../hal/errors.ts';
import type { ReplayGuard } from './replay-guard.ts';
import { encodeBody, MAX_BODY_BYTES, type PeerHeader } from './wire.ts';

/** Who a peer request runs as: the other controller, trusted by the box key, with the admin role. */
export const PEER_PRINCIPAL: OnBehalf = Object.freeze({ user: 'peer', role: 'admin', address: 'peer' });
export const PEER_ROLE: Role = PEER_PRINCIPAL.role;

/** The command set the channel runs requests with (RegistryCommands). */
export interface PeerCommands {
  with(more: Partial<CommandContext>): CommandHandler;
}

export interface PeerServerOptions {
  readonly self: ControllerId;
  readonly peer: ControllerId;
  readonly guard: ReplayGuard;
  readonly wallMs: () => number;
  readonly monotonicMs: () => number;
  readonly commands: () => PeerCommands;
  readonly events: EventSink;
  /** Signs and sends a response body for `request`; returns the datagrams sent (kept for retries). */
  readonly respond: (request: PeerHeader, body: Uint8Array) => readonly Uint8Array[];
  /** Resends datagrams already signed (the answer to a retry). */
  readonly resend: (datagrams: readonly Uint8Array[]) => void;
  readonly count: (reason: string) => void;
  /** Requests running at once, at most (default 4); more are answered busy. */
  readonly maxRunning?: number;
}

export class PeerRequestServer {
  private readonly o: PeerServerOptions;
  private running = 0;

  constructor(options: PeerServerOptions) {
    this.o = options;
  }

  /** A whole request whose every fragment passed the MAC. Never throws. */
  handle(header: PeerHeader, body: Uint8Array): void {
    const o = this.o;
    const verdict = o.guard.check(header.id, header.attempt, header.sentAtMs, o.wallMs(), o.monotonicMs());
    switch (verdict.kind) {
      case 'replay':
        return o.count('replay');
      case 'retry':
        o.count('retry');
        if (verdict.answer !== undefined) o.resend(verdict.answer);
        return;
      case 'stale':
      case 'busy':
        o.count(verdict.kind);
        this.answer(header, fail(`peer ${o.self}: ${verdict.error}`));
        return;
      case 'new':
        break;
    }
    if (this.running >= (o.maxRunning ?? 4)) {
      o.count('busy');
      this.answer(header, fail(`peer ${o.self}: busy: ${this.running} peer requests running`));
      return;
    }
    this.running += 1;
    void this.run(body)
      .catch((err: unknown) => fail(`peer ${o.self}: internal: ${errorMessage(err)}`))
      .then((outcome) => {
        this.running -= 1;
        this.answer(header, outcome);
      });
  }

  private async run(body: Uint8Array): Promise<Outcome> {
    const o = this.o;
    const refuse = (reason: string, error: string): Outcome => {
      o.count(reason);
      return fail(`peer ${o.self}: ${error}`);
    };
    const parsed = parseBoundedJson(body, LIMITS.peerRequest, 'request');
    if (!parsed.ok) return refuse('bad-json', parsed.error);
    const raw = parsed.value;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      return refuse('bad-request', 'request: must be a JSON object {command, args}');
    const fields = raw as Record<string, unknown>;
    const def = commandNamed(fields['command']);
    if (def === undefined) {
      const name = fields['command'];
      const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 40)) : typeof name;
      return refuse('unknown-command', `command: unknown command ${shown}`);
    }
    const audited = def.role !== 'viewer' || def.stronger !== undefined;
    const log = (outcome: Outcome): Outcome => {
      if (!audited) return outcome;
      o.events.append({
        severity: outcome.ok ? 'notice' : 'warning',
        source: 'peer',
        code: outcome.ok ? 'PEER_ACTION' : 'PEER_REFUSED',
        message:
          `peer: ${def.name} by controller ${o.peer}${outcome.ok ? '' : ` refused: ${outcome.error}`}`.slice(
            0,
            500,
          ),
        data: {
          user: PEER_PRINCIPAL.user,
          role: PEER_ROLE,
          address: PEER_PRINCIPAL.address,
          from: o.peer,
          command: def.name,
          args: auditArgs(def, fields['args']),
          ...(outcome.ok ? {} : { error: outcome.error.slice(0, 300) }),
        },
      });
      return outcome;
    };
    if (def.peer !== true)
      return log(refuse('not-peer-command', `command: ${def.name} may not come from the peer`));
    const checked = admit({ command: def.name, args: fields['args'] ?? {}, transaction: 'peer' }, PEER_ROLE);
    if (!checked.ok) return log(refuse('bad-args', checked.error));
    const handler = o.commands().with({ onBehalf: PEER_PRINCIPAL, defaultActor: 'peer' });
    const response: CommandResponse = await handler.handle(checked.value);
    o.count('ran');
    return log(response.status === 'ok' ? { ok: true, data: response.data } : fail(response.error));
  }

  private answer(header: PeerHeader, outcome: Outcome): void {
    const o = this.o;
    let body = encodeBody(outcome);
    if (body === undefined || body.byteLength > MAX_BODY_BYTES) {
      o.count('response-too-large');
      body =
        encodeBody(
          fail(
            `peer ${o.self}: response ${body === undefined ? 'not serialisable' : `of ${body.byteLength} bytes is over the ${MAX_BODY_BYTES}-byte limit`}`,
          ),
        ) ?? new Uint8Array();
    }
    try {
      o.guard.answered(header.id, o.respond(header, body));
    } catch {
      o.count('send-error');
    }
  }
}
