// What the NOC sees of the VM pair: the box's retained status on the lab's
// broker, read as the NOC user from the NOC's namespace.
import { NETNS, MQTT_HOST, MQTT_PORT } from '../lab/topology.ts';
import { MQTT_LAB_USERS } from '../lab/mqtt.ts';
import { spawn } from 'node:child_process';
import { tryRun } from '../lab/run.ts';
import type { BoxStatus } from '../../firmware/telemetry/topics.ts';
import { BOX_ID } from './layout.ts';

/** `ip` arguments: mosquitto_sub on the lab's broker as the NOC user, from the NOC's namespace. */
function nocSubscriber(topic: string, extra: readonly string[]): string[] {
  const { username, password } = MQTT_LAB_USERS.noc;
  return [
    'netns',
    'exec',
    NETNS.noc,
    'mosquitto_sub',
    '-h',
    MQTT_HOST,
    '-p',
    String(MQTT_PORT),
    '-u',
    username,
    '-P',
    password,
    '-t',
    topic,
    ...extra,
  ];
}

/** The retained box status, or null when none has been published (yet). */
export async function boxStatus(): Promise<BoxStatus | null> {
  const r = await tryRun('ip', nocSubscriber(`tandem/${BOX_ID}/status`, ['-C', '1', '-W', '3']), {
    timeoutMs: 10_000,
  });
  if (r.code !== 0 || r.stdout.trim() === '') return null;
  return JSON.parse(r.stdout) as BoxStatus;
}

/** The box's events as the NOC receives them, from now until stop(). */
export function followEvents(): { lines: () => string[]; stop: () => void } {
  const child = spawn('ip', nocSubscriber(`tandem/${BOX_ID}/+/event`, []), {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines: string[] = [];
  let rest = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString('utf8')).split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l.trim() !== ''));
  });
  return { lines: () => [...lines], stop: () => void child.kill() };
}
