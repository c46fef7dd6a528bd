// The service agent: any daemon with start, stop and status commands (an
// init script, systemctl, a vendor tool). Commands are argument arrays from
// the configuration, run without a shell. Status follows the LSB init-script
// convention: 0 running, 3 not running, anything else is a failure.
import type { ActionContext, ActionTimeouts, ResourceAgent } from '../agent.ts';
import { DEFAULT_TIMEOUTS } from '../agent.ts';
import type { CommandResult } from '../command.ts';
import { describeCommand } from '../command.ts';
import { fail, ok } from '../ocf.ts';
import type { OcfResult } from '../ocf.ts';

export interface ServiceConfig {
  readonly name: string;
  readonly start: readonly string[];
  readonly stop: readonly string[];
  readonly status: readonly string[];
  readonly monitorIntervalMs: number;
  readonly timeouts?: Partial<ActionTimeouts>;
}

const ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' };
const LSB_NOT_RUNNING = 3;

export class ServiceAgent implements ResourceAgent {
  readonly type = 'service';
  readonly name: string;
  readonly timeouts: ActionTimeouts;
  readonly monitorIntervalMs: number;
  private readonly config: ServiceConfig;

  constructor(config: ServiceConfig) {
    this.config = config;
    this.name = config.name;
    this.monitorIntervalMs = config.monitorIntervalMs;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts };
  }

  validate(): Promise<OcfResult> {
    for (const [what, cmd] of [
      ['start', this.config.start],
      ['stop', this.config.stop],
      ['status', this.config.status],
    ] as const) {
      if (!cmd[0]?.startsWith('/'))
        return Promise.resolve(fail('invalid-param', `${what} command must start with an absolute path`));
    }
    return Promise.resolve(ok());
  }

  async start(ctx: ActionContext): Promise<OcfResult> {
    if ((await this.status(ctx)).code === 0) return ok('already running');
    const r = await this.exec(ctx, this.config.start);
    if (r.kind !== 'exited' || r.code !== 0)
      return fail('generic-error', `start command ${describeCommand(r)}`);
    const after = await this.status(ctx);
    return after.code === 0 ? ok() : fail('generic-error', `started, but status says: ${after.reason}`);
  }

  async stop(ctx: ActionContext): Promise<OcfResult> {
    if ((await this.status(ctx)).code === 7) return ok('not running');
    const r = await this.exec(ctx, this.config.stop);
    if (r.kind !== 'exited' || r.code !== 0)
      return fail('generic-error', `stop command ${describeCommand(r)}`);
    const after = await this.status(ctx);
    return after.code === 7
      ? ok()
      : fail('generic-error', `stopped, but status says: ${after.reason || 'running'}`);
  }

  monitor(ctx: ActionContext): Promise<OcfResult> {
    return this.status(ctx);
  }

  private async status(ctx: ActionContext): Promise<OcfResult> {
    const r = await this.exec(ctx, this.config.status);
    if (r.kind === 'exited' && r.code === 0) return ok();
    if (r.kind === 'exited' && r.code === LSB_NOT_RUNNING) return fail('not-running', 'status: not running');
    if (r.kind === 'spawn-error') return fail('not-installed', `status command ${describeCommand(r)}`);
    return fail('generic-error', `status command ${describeCommand(r)}`);
  }

  private exec(ctx: ActionContext, cmd: readonly string[]): Promise<CommandResult> {
    const [file, ...args] = cmd;
    return ctx.exec(file ?? '', args, { env: ENV });
  }
}
