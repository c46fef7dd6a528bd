// The daemon's CommandHandler. Status, peer and paths are answered from the
// live snapshot; every other command of the envelope exists but belongs to a
// module not built yet, and says so as an error response.
import {
  isCommandName,
  type CommandHandler,
  type CommandRequest,
  type CommandResponse,
} from '../core/envelope.ts';
import type { StatusSource } from '../core/status.ts';
import type { RuntimeCounters } from '../heartbeat/runtime.ts';

export class DaemonCommands implements CommandHandler {
  private readonly status: StatusSource;
  private readonly counters: () => RuntimeCounters;

  constructor(status: StatusSource, counters: () => RuntimeCounters) {
    this.status = status;
    this.counters = counters;
  }

  handle(request: CommandRequest): Promise<CommandResponse> {
    const transaction = typeof request.transaction === 'string' ? request.transaction.slice(0, 128) : '';
    const ok = (data: unknown): CommandResponse => ({ status: 'ok', data, error: null, transaction });
    const fail = (error: string): CommandResponse => ({ status: 'error', data: null, error, transaction });
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
      case 'alarms':
      case 'alarm-ack':
      case 'log':
      case 'config-show':
      case 'config-export':
      case 'config-import':
      case 'config-validate':
      case 'pr':
        return Promise.resolve(fail(`command ${request.command} is not yet implemented`));
    }
  }
}
