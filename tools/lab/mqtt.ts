// The NOC's MQTT broker: mosquitto in tdm-noc with a lab-only config.
//
// Authorisation as on a real NOC broker (docs/mqtt.md): a password file and an
// ACL so that only the `noc` user may publish commands (request topics) and
// read their responses, and only the `controller` user may publish state,
// availability, events, alarms, metrics and responses. `rogue` is a stranger
// with valid credentials and no command token: it may read the status
// topics a dashboard shows, never requests or responses (a response may
// carry configuration), and may publish nothing. Anonymous clients get only
// the lab's own smoke-test topics (test/lab/mqtt.test.ts). The broker also
// refuses packets over LIMITS.mqttPacketBytes (firmware/core/limits.ts), so an oversized request is
// dropped there (the publisher disconnected) and never reaches a controller.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labFiles } from './files.ts';
import { netnsPath } from './netns.ts';
import { livePid, spawnDetached, stopPidFile } from './procs.ts';
import { run, tryRun, waitFor } from './run.ts';
import { MQTT_PORT } from './topology.ts';
import { LIMITS } from '../../firmware/core/limits.ts';

/** Lab-only credentials; they exist only inside the lab's namespaces. */
export const MQTT_LAB_USERS = {
  noc: { username: 'noc', password: 'lab-noc-password' },
  controller: { username: 'controller', password: 'lab-controller-password' },
  rogue: { username: 'rogue', password: 'lab-rogue-password' },
} as const;

const passwdFile = join(labFiles.runDir, 'mosquitto.passwd');
const aclFile = join(labFiles.runDir, 'mosquitto.acl');

/** Topics a status dashboard reads: what the controllers publish about the box. */
const STATUS_TOPICS = [
  'tandem/+/status',
  'tandem/+/+/availability',
  'tandem/+/+/state',
  'tandem/+/+/event',
  'tandem/+/+/alarm',
  'tandem/+/+/metrics',
  // What `tandemctl status` shows, a rolling upgrade's progress with it.
  'tandem/+/+/report',
];

export const MQTT_ACL = [
  '# Anonymous: only the lab smoke-test topics.',
  'topic readwrite tandem/lab-test/#',
  '',
  '# The NOC: status, and the responses to the commands it alone may send.',
  'user noc',
  ...STATUS_TOPICS.map((t) => `topic read ${t}`),
  'topic read tandem/+/+/response/+',
  // The NOC's Home Assistant: it reads the discovery and says when it comes online.
  'topic read homeassistant/device/+/config',
  'topic write homeassistant/status',
  'topic write tandem/+/+/request/+',
  '',
  'user controller',
  'topic read tandem/+/+/request/+',
  'topic write tandem/+/status',
  'topic write tandem/+/+/availability',
  'topic write tandem/+/+/state',
  'topic write tandem/+/+/event',
  'topic write tandem/+/+/alarm',
  'topic write tandem/+/+/metrics',
  'topic write tandem/+/+/report',
  'topic write tandem/+/+/response/+',
  // Home Assistant discovery (mqtt.homeAssistant): the device documents, and HA's birth message.
  'topic write homeassistant/device/+/config',
  'topic read homeassistant/status',
  '',
  '# A stranger with valid credentials: status only; no requests, responses or writes.',
  'user rogue',
  ...STATUS_TOPICS.map((t) => `topic read ${t}`),
  '',
].join('\n');

function mosquittoConf(): string {
  return [
    `listener ${MQTT_PORT} 0.0.0.0`,
    'allow_anonymous true',
    `password_file ${passwdFile}`,
    `acl_file ${aclFile}`,
    'persistence false',
    `max_packet_size ${LIMITS.mqttPacketBytes}`,
    // The fleet bench opens hundreds of connections at once.
    'max_connections -1',
    `log_dest file ${labFiles.mosquittoLog}`,
    // Stay root: the log lives in the root-owned lab run directory.
    'user root',
    '',
  ].join('\n');
}

function currentConf(): string | null {
  try {
    return readFileSync(labFiles.mosquittoConf, 'utf8');
  } catch {
    return null;
  }
}

async function writeAuthFiles(): Promise<void> {
  writeFileSync(passwdFile, '', { mode: 0o600 });
  for (const u of Object.values(MQTT_LAB_USERS)) {
    await run('mosquitto_passwd', ['-b', passwdFile, u.username, u.password]);
  }
  writeFileSync(aclFile, MQTT_ACL, { mode: 0o600 });
}

export async function mqttUp(): Promise<void> {
  const conf = mosquittoConf();
  if (livePid(labFiles.mosquittoPid) !== null) {
    // Idempotent, but a broker started by an older lab config is restarted.
    if (currentConf() === conf) return;
    await stopPidFile(labFiles.mosquittoPid);
  }
  await writeAuthFiles();
  writeFileSync(labFiles.mosquittoConf, conf);
  spawnDetached('nsenter', [`--net=${netnsPath('noc')}`, '--', 'mosquitto', '-c', labFiles.mosquittoConf], {
    pidFile: labFiles.mosquittoPid,
    logFile: labFiles.mosquittoLog,
  });
  await waitFor('mosquitto to listen', async () => {
    if (livePid(labFiles.mosquittoPid) === null)
      throw new Error(`mosquitto exited; see ${labFiles.mosquittoLog}`);
    const r = await tryRun('nsenter', [
      `--net=${netnsPath('noc')}`,
      '--',
      'ss',
      '-Hltn',
      `sport = :${MQTT_PORT}`,
    ]);
    return r.stdout.includes(`:${MQTT_PORT}`);
  });
}

export async function mqttDown(): Promise<void> {
  await stopPidFile(labFiles.mosquittoPid);
  for (const f of [labFiles.mosquittoConf, passwdFile, aclFile]) rmSync(f, { force: true });
}

export function mosquittoPid(): number | null {
  return livePid(labFiles.mosquittoPid);
}
