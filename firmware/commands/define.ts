// What one command is: everything about it is declared once, in its family's
// file (status.ts, failover.ts, alarms.ts, panel.ts, config.ts, pr.ts), and every
// channel reads it from there: the MQTT intake and the control socket
// (arguments, role), the handler (dispatch.ts), tandemctl (its spelling on
// the command line, help) and the docs (docs/mqtt.md).
import type { Static, TObject } from '@sinclair/typebox';
import type { CommandName } from '../core/envelope.ts';
import type { CommandContext } from './context.ts';

/** Who may run a command, weakest first: each role may do what the ones before it may. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** The weaker of two roles (a channel's and a handler's). */
export function weakerRole(a: Role, b: Role): Role {
  return roleAllows(a, b) ? b : a;
}

/** What a handler answers; dispatch wraps it into the envelope with the transaction. */
export type Outcome =
  { readonly ok: true; readonly data: unknown } | { readonly ok: false; readonly error: string };

export const ok = (data: unknown): Outcome => ({ ok: true, data });
export const fail = (error: string): Outcome => ({ ok: false, error });

/** A positional word on tandemctl's command line, e.g. GROUP. */
export interface CliPositional {
  /** The argument it fills. */
  readonly arg: string;
  /** How usage and errors name it: GROUP, ID, on|off. */
  readonly metavar: string;
  readonly optional?: boolean;
  /** Words that stand for values (maintenance on|off -> true|false); others are refused. */
  readonly choices?: Readonly<Record<string, unknown>>;
}

/** A --flag on tandemctl's command line. */
export interface CliFlag {
  readonly arg: string;
  readonly flag: `--${string}`;
  /** The value's name in usage (--limit N); absent for a boolean switch (--force). */
  readonly metavar?: string;
  /** 'time': an age (15m), epoch ms or an ISO 8601 date, sent as epoch ms. */
  readonly convert?: 'time';
}

/** How tandemctl spells a command. Arguments without a spelling are MQTT-only. */
export interface CliSpec {
  /** The words that name it: ['switchover'], ['alarms', 'ack'], ['config', 'show']. */
  readonly words: readonly string[];
  readonly positionals?: readonly CliPositional[];
  readonly flags?: readonly CliFlag[];
  /**
   * A FILE word handled by tandemctl itself: 'read' sends the file's text as
   * args.text (import, validate); 'write' stores the reply there (export).
   */
  readonly file?: { readonly mode: 'read' | 'write'; readonly optional: boolean };
  /**
   * Arguments tandemctl reads from standard input, one line each, never from
   * the command line, where `ps` would show them (passwords); on a terminal
   * it asks for each without echo.
   */
  readonly secrets?: readonly { readonly arg: string; readonly metavar: string }[];
}

export interface CommandDef<S extends TObject = TObject> {
  readonly name: CommandName;
  /** One line for `tandemctl --help` and the docs table. */
  readonly summary: string;
  /** The role the command needs whatever its arguments. */
  readonly role: Role;
  /** A stronger role some argument values need (config-export with secrets), and when. */
  readonly stronger?: {
    readonly role: Role;
    /** For help and docs: "includeSecrets". */
    readonly when: string;
    needed(args: Static<S>): boolean;
  };
  /**
   * The other controller may run it over the peer command channel
   * (firmware/peer, docs/peer.md), as the principal peer (admin role).
   * Absent: the peer's request is refused. Opt in only for what one
   * controller's firmware needs from the other (the rolling upgrade).
   */
  readonly peer?: true;
  /** Arguments: a TypeBox object built with args.ts (bounded, no extra keys). */
  readonly args: S;
  readonly cli: CliSpec;
  /** Runs with arguments already validated against `args`. */
  run(ctx: CommandContext, args: Static<S>): Outcome | Promise<Outcome>;
}

/** Keeps the argument type of `run` tied to the schema where the command is written. */
export function defineCommand<S extends TObject>(def: CommandDef<S>): CommandDef {
  return def;
}
