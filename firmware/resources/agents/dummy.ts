// The dummy agent (Pacemaker's ocf:heartbeat:Dummy): a resource that is
// "running" while its state exists. On a controller the state is a file
// under the state dir (lab tests read it to see where the resource runs);
// a simulation keeps it in memory (firmware/sim/resource-ledger.ts), so
// failover can be exercised end to end without a disk, an address or a
// database.
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

/** Where dummy resources keep their state. Each call may fail with an Error naming the cause. */
export interface DummyStore {
  /** Human-readable place of `name`'s state, for messages. */
  where(name: string): string;
  write(name: string): Promise<void>;
  remove(name: string): Promise<void>;
  /** false: no state (not running); rejects when the store cannot be read. */
  exists(name: string): Promise<boolean>;
}

/** Where the dummy resource `name` keeps its state file under `stateDir`. */
export function dummyStateFile(stateDir: string, name: string): string {
  return join(stateDir, 'resources', `dummy-${name}.state`);
}

export function fileDummyStore(stateDir: string): DummyStore {
  const file = (name: string): string => dummyStateFile(stateDir, name);
  return {
    where: file,
    async write(name) {
      await mkdir(join(file(name), '..'), { recursive: true });
      await writeFile(file(name), JSON.stringify({ pid: process.pid, startedAt: Date.now() }) + '\n');
    },
    remove: (name) => rm(file(name), { force: true }),
    async exists(name) {
      try {
        await readFile(file(name));
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
    },
  };
}

export class DummyAgent implements ResourceAgent {
  readonly type = 'dummy';
  readonly name: string;
  readonly timeouts: ActionTimeouts;
  readonly monitorIntervalMs: number;
  private readonly store: DummyStore;

  constructor(config: DummyConfig, store: DummyStore) {
    this.name = config.name;
    this.monitorIntervalMs = config.monitorIntervalMs;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts };
    this.store = store;
  }

  validate(): Promise<OcfResult> {
    return Promise.resolve(ok());
  }

  async start(): Promise<OcfResult> {
    try {
      await this.store.write(this.name);
      return ok(`state ${this.store.where(this.name)}`);
    } catch (err) {
      return fail('generic-error', `cannot write ${this.store.where(this.name)}: ${errorMessage(err)}`);
    }
  }

  async stop(): Promise<OcfResult> {
    try {
      await this.store.remove(this.name);
      return ok();
    } catch (err) {
      return fail('generic-error', `cannot remove ${this.store.where(this.name)}: ${errorMessage(err)}`);
    }
  }

  /** The drill's crash: the state is gone, as a process that died leaves none. */
  async crash(): Promise<OcfResult> {
    try {
      await this.store.remove(this.name);
      return ok(`removed ${this.store.where(this.name)}`);
    } catch (err) {
      return fail('generic-error', `cannot remove ${this.store.where(this.name)}: ${errorMessage(err)}`);
    }
  }

  async monitor(): Promise<OcfResult> {
    try {
      return (await this.store.exists(this.name)) ? ok() : fail('not-running', 'no state');
    } catch (err) {
      return fail('generic-error', `cannot read ${this.store.where(this.name)}: ${errorMessage(err)}`);
    }
  }
}
