// The NOC's MQTT broker: mosquitto in tdm-noc with a lab-only config.
import { rmSync, writeFileSync } from 'node:fs';
import { labFiles } from './files.ts';
import { netnsPath } from './netns.ts';
import { livePid, spawnDetached, stopPidFile } from './procs.ts';
import { tryRun, waitFor } from './run.ts';
import { MQTT_PORT } from './topology.ts';

export async function mqttUp(): Promise<void> {
  if (livePid(labFiles.mosquittoPid) !== null) return;
  writeFileSync(
    labFiles.mosquittoConf,
    [
      `listener ${MQTT_PORT} 0.0.0.0`,
      'allow_anonymous true',
      'persistence false',
      `log_dest file ${labFiles.mosquittoLog}`,
      // Stay root: the log lives in the root-owned lab run directory.
      'user root',
      '',
    ].join('\n'),
  );
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
  rmSync(labFiles.mosquittoConf, { force: true });
}

export function mosquittoPid(): number | null {
  return livePid(labFiles.mosquittoPid);
}
