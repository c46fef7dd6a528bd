// `lab status`: every piece of the lab and its state, as text or JSON.
import { existsSync } from 'node:fs';
import { firmwarePid } from './firmware.ts';
import { labFiles } from './files.ts';
import { mountNsExists } from './mountns.ts';
import { mosquittoPid } from './mqtt.ts';
import { linkStatus, netnsExists, type LinkStatus } from './netns.ts';
import { isPoweredOn } from './power.ts';
import { livePid } from './procs.ts';
import { serialState } from './serial.ts';
import { tgtdPid } from './tgt.ts';
import { CONTROLLERS, NETNS, NODES, VETHS } from './topology.ts';
import { loopDevice } from './volume.ts';
import { watchdogState, type DogState } from './watchdog-ctl.ts';

export interface ControllerStatus {
  readonly powered: boolean;
  readonly mountNs: boolean;
  readonly firmwarePid: number | null;
  readonly watchdog: DogState | null;
  readonly tty: string;
}

export interface LabStatus {
  readonly up: boolean;
  readonly namespaces: Record<string, boolean>;
  readonly links: LinkStatus[];
  readonly tgtdPid: number | null;
  readonly mosquittoPid: number | null;
  readonly serial: {
    readonly proxyPid: number | null;
    readonly mode: string | null;
    readonly connected: Record<string, boolean>;
  };
  readonly watchdogPid: number | null;
  readonly loopDevice: string | null;
  readonly controllers: Record<string, ControllerStatus>;
}

export async function labStatus(): Promise<LabStatus> {
  const namespaces = Object.fromEntries(NODES.map((n) => [NETNS[n], netnsExists(n)]));
  const links: LinkStatus[] = [];
  for (const v of VETHS) for (const end of [v.a, v.b]) links.push(await linkStatus(end));
  const serial = serialState();
  const dogs = watchdogState();
  return {
    up: existsSync(labFiles.upMarker),
    namespaces,
    links,
    tgtdPid: tgtdPid(),
    mosquittoPid: mosquittoPid(),
    serial: {
      proxyPid: livePid(labFiles.serialPid),
      mode: serial?.mode ?? null,
      connected: serial?.connected ?? {},
    },
    watchdogPid: livePid(labFiles.watchdogPid),
    loopDevice: loopDevice(),
    controllers: Object.fromEntries(
      CONTROLLERS.map((c) => [
        c,
        {
          powered: netnsExists(c) && isPoweredOn(c),
          mountNs: mountNsExists(c),
          firmwarePid: firmwarePid(c),
          watchdog: dogs?.[c] ?? null,
          tty: labFiles.tty(c),
        },
      ]),
    ),
  };
}

export function formatStatus(s: LabStatus): string {
  const pid = (p: number | null) => (p === null ? 'not running' : `pid ${p}`);
  const lines = [`lab: ${s.up ? 'up' : 'down'}`, 'namespaces:'];
  for (const [ns, ok] of Object.entries(s.namespaces)) lines.push(`  ${ns}: ${ok ? 'present' : 'absent'}`);
  lines.push('links:');
  for (const l of s.links) lines.push(`  ${l.node}/${l.ifname}: ${l.admin} (${l.operstate})`);
  lines.push(`tgtd: ${pid(s.tgtdPid)}`, `mosquitto: ${pid(s.mosquittoPid)}`);
  lines.push(`serial proxy: ${pid(s.serial.proxyPid)}, mode ${s.serial.mode ?? '-'}`);
  lines.push(`watchdog daemon: ${pid(s.watchdogPid)}`, `data volume loop device: ${s.loopDevice ?? '-'}`);
  for (const [c, cs] of Object.entries(s.controllers)) {
    const dog =
      cs.watchdog === null
        ? '-'
        : `${cs.watchdog.armed ? 'armed' : 'not armed'} ${cs.watchdog.timeoutS} s, fired ${cs.watchdog.fired}`;
    lines.push(
      `controller ${c}: ${cs.powered ? 'powered on' : 'powered off'}, mount ns ${cs.mountNs ? 'present' : 'absent'}, firmware ${pid(cs.firmwarePid)}, watchdog ${dog}, tty ${cs.tty}`,
    );
  }
  return lines.join('\n');
}
