// The daemon's CommandHandlers. DaemonCommands answers status, peer and paths
// from the live snapshot. OperatorCommands adds the operator commands that
// read or change the event log, alarms and configuration, and hands every
// other command (the failover ones) to the handler it wraps, so the two can
// grow apart without touching each other.
//
// Arguments were already checked by command-args.ts on both channels (MQTT,
// control socket); the checks here repeat only what a direct caller could get
// wrong, and every refusal names the argument and changes nothing.
import {
  isCommandName,
  type CommandHandler,
  type CommandRequest,
  type CommandResponse,
} from '../core/envelope.ts';
import type { StatusSource } from '../status/snapshot.ts';
import { checkArgs } from '../console/command-args.ts';
import type { AlarmManager } from '../alarms/alarm-manager.ts';
import type { ConfigManager } from '../config/config-manager.ts';
import { formatIssues, validateConfig } from '../config/validate.ts';
import { EXPORT_FORMAT, REDACTED } from '../config/config-manager.ts';
import { SECRET_PATHS } from '../config/schema.ts';
import type { EventQuery, LoggedEvent, Severity } from '../events/types.ts';
import type { RuntimeCounters } from '../heartbeat/runtime.ts';

type Reply = Promise<CommandResponse>;

function replies(request: CommandRequest): {
  ok: (data: unknown) => CommandResponse;
  fail: (error: string) => CommandResponse;
} {
  const transaction = typeof request.transaction === 'string' ? request.transaction.slice(0, 128) : '';
  return {
    ok: (data) => ({ status: 'ok', data, error: null, transaction }),
    fail: (error) => ({ status: 'error', data: null, error, transaction }),
  };
}

export class DaemonCommands implements CommandHandler {
  private readonly status: StatusSource;
  private readonly counters: () => RuntimeCounters;
  /** The failover commands (firmware/daemon/failover/commands.ts), once the core is hosted. */
  private readonly failover: () => CommandHandler | undefined;

  constructor(
    status: StatusSource,
    counters: () => RuntimeCounters,
    failover: () => CommandHandler | undefined = () => undefined,
  ) {
    this.status = status;
    this.counters = counters;
    this.failover = failover;
  }

  handle(request: CommandRequest): Promise<CommandResponse> {
    const { ok, fail } = replies(request);
    if (!isCommandName(request.command)) {
      return Promise.resolve(fail(`unknown command ${JSON.stringify(String(request.command)).slice(0, 64)}`));
    }
    switch (request.command) {
      case 'status':
        return Promise.resolve(ok(this.status.current()));
      case 'peer':
        return Promise.resolve(ok(this.status.current().peer));
      case 'paths':
        return Promise.resolve(ok({ paths: this.status.current().peer.paths, counters: this.counters() }));
      case 'groups':
      case 'switchover':
      case 'failback':
      case 'maintenance':
      case 'takeover':
      case 'cleanup':
      case 'pr': {
        const failover = this.failover();
        if (failover !== undefined) return failover.handle(request);
        // A node that hosts no failover core (a monitor-only daemon) has none of these.
        return Promise.resolve(fail(`command ${request.command}: this node runs no failover core`));
      }
      case 'alarms':
      case 'alarm-ack':
      case 'log':
      case 'config-show':
      case 'config-export':
      case 'config-import':
      case 'config-validate':
        // OperatorCommands answers these before they reach here; a bare
        // DaemonCommands (no event log, alarms or config wired) cannot.
        return Promise.resolve(
          fail(`command ${request.command}: no event log, alarms or config on this handler`),
        );
    }
  }
}

/** What the operator commands read and change. */
export interface OperatorDeps {
  /** Every other command goes here (the node's handler: status, failover...). */
  readonly inner: CommandHandler;
  readonly alarms: Pick<AlarmManager, 'active' | 'acknowledge'>;
  readonly events: { query(q?: EventQuery): LoggedEvent[] };
  /** Absent in the simulated box, which runs on embedded defaults. */
  readonly config?: ConfigManager;
  /** Who acknowledged, when the request does not say (e.g. 'tandemctl', 'noc'). */
  readonly defaultActor?: string;
}

export class OperatorCommands implements CommandHandler {
  private readonly d: OperatorDeps;

  constructor(deps: OperatorDeps) {
    this.d = deps;
  }

  handle(request: CommandRequest): Reply {
    if (!isCommandName(request.command)) return this.d.inner.handle(request);
    switch (request.command) {
      case 'status':
      case 'peer':
      case 'paths':
      case 'groups':
      case 'switchover':
      case 'failback':
      case 'maintenance':
      case 'takeover':
      case 'cleanup':
      case 'pr':
        return this.d.inner.handle(request);
      case 'alarms':
      case 'alarm-ack':
      case 'log':
      case 'config-show':
      case 'config-export':
      case 'config-import':
      case 'config-validate':
        return this.operator(request);
    }
  }

  private operator(request: CommandRequest): Reply {
    const { ok, fail } = replies(request);
    const checked = checkArgs(request.command, request.args);
    if (!checked.ok) return Promise.resolve(fail(checked.error));
    const args = checked.value;
    if (request.command === 'alarms') return Promise.resolve(ok({ alarms: this.d.alarms.active() }));
    if (request.command === 'alarm-ack') {
      const by = args['by'] ?? this.d.defaultActor ?? 'operator';
      const r = this.d.alarms.acknowledge(args['id'], by);
      return Promise.resolve(r.ok ? ok({ alarm: r.alarm }) : fail(r.error));
    }
    if (request.command === 'log')
      return Promise.resolve(ok({ events: this.d.events.query(logQuery(args)) }));
    return this.configCommand(request.command, args, ok, fail);
  }

  private async configCommand(
    command: string,
    args: Record<string, unknown>,
    ok: (data: unknown) => CommandResponse,
    fail: (error: string) => CommandResponse,
  ): Reply {
    const config = this.d.config;
    if (config === undefined) return fail(`${command}: no configuration store on this controller`);
    switch (command) {
      case 'config-show':
        // Show never carries secrets: it goes to consoles and NOC dashboards.
        return ok(JSON.parse(config.exportText()) as unknown);
      case 'config-export':
        return ok(config.exportText({ includeSecrets: args['includeSecrets'] === true }));
      case 'config-validate': {
        const r = validateText(String(args['text']));
        return r.ok ? ok({ valid: true, warnings: r.warnings }) : fail(`invalid config: ${r.error}`);
      }
      case 'config-import': {
        const r = await config.importText(String(args['text']), 'operator import');
        if (!r.ok) return fail(`config rejected, nothing changed: ${formatIssues(r.errors)}`);
        return ok({
          configVersion: r.config.configVersion,
          warnings: r.warnings.map((w) => `${w.path}: ${w.message}`),
        });
      }
      default:
        return fail(`command ${command} is not handled here`);
    }
  }
}

function logQuery(args: Record<string, unknown>): EventQuery {
  const q: EventQuery = {};
  if (typeof args['since'] === 'number') q.fromTs = args['since'];
  if (typeof args['severity'] === 'string') q.minSeverity = args['severity'] as Severity;
  if (typeof args['source'] === 'string') q.source = args['source'];
  if (typeof args['limit'] === 'number') q.limit = args['limit'];
  return q;
}

/** A dry run of config-import: the same parsing and validation, no change. */
function validateText(text: string): { ok: true; warnings: string[] } | { ok: false; error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `/: not valid JSON: ${(err as Error).message}` };
  }
  let candidate = parsed;
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    (parsed as { format?: unknown }).format === EXPORT_FORMAT
  ) {
    candidate = (parsed as { config?: unknown }).config;
    if (candidate === undefined) return { ok: false, error: '/config: is required' };
  }
  // A redacted secret is fine on import (the one in force is kept), so the
  // dry run must not refuse it where the real import would accept it.
  const r = validateConfig(withoutRedacted(candidate));
  if (!r.ok) return { ok: false, error: formatIssues(r.errors) };
  return { ok: true, warnings: r.warnings.map((w) => `${w.path}: ${w.message}`) };
}

/** A copy with every "<redacted>" secret removed (the real import keeps the one in force). */
function withoutRedacted(candidate: unknown): unknown {
  const copy: unknown = structuredClone(candidate);
  for (const pointer of SECRET_PATHS) {
    const parts = pointer.split('/').slice(1);
    const key = parts.pop() ?? '';
    let holder: unknown = copy;
    for (const part of parts) {
      holder =
        typeof holder === 'object' && holder !== null ? (holder as Record<string, unknown>)[part] : undefined;
    }
    if (
      typeof holder === 'object' &&
      holder !== null &&
      (holder as Record<string, unknown>)[key] === REDACTED
    ) {
      delete (holder as Record<string, unknown>)[key];
    }
  }
  return copy;
}
