// Turns one configured group into a ResourceGroup of real agents (and the
// restart policy its monitor uses). Configuration is untrusted: every entry
// is validated by config.ts first, and the errors name the field.
import type { Clock } from '../../hal/clock/clock.ts';
import { err, ok, type Result } from '../core/result.ts';
import { paths } from '../../hal/paths.ts';
import type { NetControl } from '../../hal/net/net.ts';
import type { ControllerId } from '../cluster/codes.ts';
import type { ResourceAgent } from './agent.ts';
import { DummyAgent, fileDummyStore, type DummyStore } from './agents/dummy.ts';
import { FilesystemAgent } from './agents/filesystem.ts';
import { PostgresAgent } from './agents/postgresql.ts';
import { ReservationAgent } from './agents/reservation.ts';
import type { Fencer } from '../fencing/fencer.ts';
import { ServiceAgent } from './agents/service.ts';
import { VipAgent } from './agents/vip.ts';
import type { CommandRunner } from './command.ts';
import { parseHooks, parseResource, parseRestartPolicy, type Issue } from '../config/resource-check.ts';
import type { ResourceSettings } from '../config/resource-schemas.ts';
import { ResourceGroup } from './group.ts';
import type { RestartPolicy } from './monitor.ts';
import type { AlarmPort, EventSink } from './ports.ts';

export interface GroupDeps {
  readonly controller: ControllerId;
  readonly clock: Clock;
  readonly run: CommandRunner;
  readonly net: NetControl;
  /** The fencer that holds a LUN's reservation, or undefined if none does. */
  readonly fencerFor: (lun: number) => Fencer | undefined;
  readonly events?: EventSink;
  readonly alarms?: AlarmPort;
  /** The controller's state dir (dummy resources keep their file there); default paths.stateDir. */
  readonly stateDir?: string;
  /** Where dummy resources keep their state instead (a simulation's memory). */
  readonly dummyStore?: DummyStore;
}

/** A group as it appears in the configuration (resources typed loosely there). */
export interface GroupEntry {
  readonly name: string;
  readonly resources: readonly unknown[];
  readonly hooks?: unknown;
  readonly restart?: unknown;
}

export type BuiltGroup = Result<{ group: ResourceGroup; restartPolicy: RestartPolicy }, Issue[]>;

export function createAgent(settings: ResourceSettings, deps: GroupDeps): ResourceAgent {
  switch (settings.type) {
    case 'reservation':
      return new ReservationAgent(settings, deps.fencerFor);
    case 'filesystem':
      return new FilesystemAgent(settings);
    case 'vip':
      return new VipAgent(settings, deps.net);
    case 'postgresql':
      return new PostgresAgent(settings);
    case 'service':
      return new ServiceAgent(settings);
    case 'dummy':
      return new DummyAgent(settings, deps.dummyStore ?? fileDummyStore(deps.stateDir ?? paths.stateDir));
  }
}

export function buildGroup(entry: GroupEntry, deps: GroupDeps, base = ''): BuiltGroup {
  const errors: Issue[] = [];
  const agents: ResourceAgent[] = [];
  const names = new Set<string>();
  entry.resources.forEach((raw, i) => {
    const r = parseResource(raw, `${base}/resources/${i}`);
    if (!r.ok) return void errors.push(...r.error);
    if (names.has(r.value.name)) {
      errors.push({
        path: `${base}/resources/${i}/name`,
        message: `${r.value.name} is used twice in this group`,
      });
      return;
    }
    names.add(r.value.name);
    agents.push(createAgent(r.value, deps));
  });
  const hooks = parseHooks(entry.hooks, `${base}/hooks`);
  if (!hooks.ok) errors.push(...hooks.error);
  const restart = parseRestartPolicy(entry.restart, `${base}/restart`);
  if (!restart.ok) errors.push(...restart.error);
  if (errors.length > 0 || !hooks.ok || !restart.ok) return err(errors);
  const group = new ResourceGroup({
    name: entry.name,
    controller: deps.controller,
    agents,
    hooks: hooks.value,
    clock: deps.clock,
    run: deps.run,
    ...(deps.events ? { events: deps.events } : {}),
    ...(deps.alarms ? { alarms: deps.alarms } : {}),
  });
  return ok({ group, restartPolicy: restart.value });
}
