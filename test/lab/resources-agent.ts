// Runs the real resource agents inside a lab controller, for the lab tests:
//   lab exec A node test/lab/resources-agent.ts ACTION 'GROUP-JSON' [ARG]
// ACTION: start | stop | monitor | watch (start, monitor, kill -9 the
// postmaster named by ARG's pid file, wait for the local restart).
// Prints one JSON document on stdout. The agents run exactly as the firmware
// will: SystemClock, LinuxNetControl, the real command runner, no prefixes.
import { readFileSync } from 'node:fs';
import { SystemClock } from '../../hal/clock/system.ts';
import { LinuxNetControl } from '../../hal/net/linux.ts';
import { runAction } from '../../firmware/resources/agent.ts';
import { createCommandRunner } from '../../firmware/resources/command.ts';
import { buildGroup } from '../../firmware/resources/factory.ts';
import type { GroupEntry } from '../../firmware/resources/factory.ts';
import { GroupMonitor } from '../../firmware/resources/monitor.ts';
import type { NeedsFailover } from '../../firmware/resources/monitor.ts';
import type { EventInput, EventSink } from '../../firmware/events/types.ts';

const [action = '', groupJson = '{}', arg = ''] = process.argv.slice(2);
const clock = new SystemClock();
const run = createCommandRunner(clock);
const logged: EventInput[] = [];
const events: EventSink = {
  append: (e) => {
    logged.push(e);
    return { ...e, id: logged.length, ts: Date.now(), monoMs: 0, data: e.data ?? null };
  },
};
const built = buildGroup(JSON.parse(groupJson) as GroupEntry, {
  controller: 'A',
  clock,
  run,
  net: new LinuxNetControl(),
  fencerFor: () => undefined,
  events,
});
if (!built.ok) {
  process.stdout.write(JSON.stringify({ error: built.error }));
  process.exit(2);
}
const { group } = built.value;

async function monitorAll() {
  const out: Record<string, unknown> = {};
  for (const agent of group.agents) out[agent.name] = await runAction(agent, 'monitor', { clock, run });
  return out;
}

async function watch() {
  const start = await group.start();
  const asks: NeedsFailover[] = [];
  const monitor = new GroupMonitor({
    group,
    clock,
    policy: { maxRestarts: 2, windowMs: 60_000 },
    events,
    onNeedsFailover: (e) => asks.push(e),
  });
  monitor.start();
  const pid = Number(readFileSync(arg, 'utf8').split('\n')[0]);
  process.kill(pid, 'SIGKILL'); // kill -9 of the postmaster, under the monitor's eyes
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && asks.length === 0 && !logged.some((e) => e.code === 'RESOURCE_RESTARTED')) {
    await clock.sleep(200);
  }
  monitor.stop();
  return { start, killed: pid, asks, after: await monitorAll() };
}

async function main(): Promise<unknown> {
  switch (action) {
    case 'start':
      return group.start();
    case 'stop':
      return group.stop();
    case 'monitor':
      return monitorAll();
    case 'watch':
      return watch();
    default:
      throw new Error(`unknown action ${action}`);
  }
}

const result = await main();
process.stdout.write(JSON.stringify({ result, events: logged }));
process.exit(0); // the vip agent's refresh timer must not keep us alive
