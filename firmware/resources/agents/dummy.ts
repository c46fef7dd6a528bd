// The dummy agent (Pacemaker's ocf:heartbeat:Dummy): a resource that is
// "running" while its state file exists under the controller's state dir.
// It lets failover be exercised end to end (lab, sim box) without a disk,
// an address or a database; tests read the file to see where it runs.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionTimeouts, ResourceAgent } from '../agent.ts';
import { DEFAULT_TIMEOUTS } from '../agent.ts';
import { fail, ok } from '../ocf.ts';
import type { OcfResult } from '../ocf.ts';
import { errorMessage } from '../../../hal/errors.ts';

export interface DummyConfig {
  readonly name: string;
  readonly monitorIntervalMs: number;
  readonly timeouts?: Partial<ActionTimeouts>;
}

/** Where the dummy resource `name` keeps its state file under `stateDir`. */
export function dummyStateFile(stateDir: string, name: string): string {
  return join(stateDir, 'resources', `dummy-${name}.state`);
}

export class DummyAgent implements ResourceAgent {
  readonly type = 'dummy';
  readonly name: string;
  readonly timeouts: ActionTimeouts;
  readonly monitorIntervalMs: number;
  readonly file: string;

  constructor(config: DummyConfig, stateDir: string) {
    this.name = config.name;
    this.monitorIntervalMs = config.monitorIntervalMs;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts };
    this.file = dummyStateFile(stateDir, config.name);
  }

  validate(): Promise<OcfResult> {
    return Promise.resolve(ok());
  }

  async start(): Promise<OcfResult> {
    try {
      await mkdir(join(this.file, '..'), { recursive: true });
      await writeFile(this.file, JSON.stringify({ pid: process.pid, startedAt: Date.now() }) + '\n');
      return ok(`state file ${this.file}`);
    } catch (err) {
      return fail('generic-error', `cannot write ${this.file}: ${errorMessage(err)}`);
    }
  }

  async stop(): Promise<OcfResult> {
    try {
      await rm(this.file, { force: true });
      return ok();
    } catch (err) {
      return fail('generic-error', `cannot remove ${this.file}: ${errorMessage(err)}`);
    }
  }

  async monitor(): Promise<OcfResult> {
    try {
      await readFile(this.file);
      return ok();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === 'ENOENT'
        ? fail('not-running', 'no state file')
        : fail('generic-error', `cannot read ${this.file}: ${errorMessage(err)}`);
    }
  }
}
