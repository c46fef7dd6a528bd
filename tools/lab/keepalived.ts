// The keepalived anchor: Debian's keepalived in tdm-a and tdm-b doing plain
// VRRP for the VIP on lan0 (advert 1 s, A priority 150, B 100), so the
// takeover bench can put our VIP takeover next to the one everybody knows.
// Master-down for B = 3 x advert + (256 - 100) / 256 s skew ~ 3.6 s.
// Each keepalived leads its own process group (kill -9 of the group is a crash
// of both its processes at once) and uses pid files in the lab run dir, never
// keepalived's defaults in /run. Nothing here is left running: `stopAll` is
// called by the bench in `finally` and again on process exit.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labFiles } from './files.ts';
import { netnsPath } from './netns.ts';
import { isAlive, readPid, signalGroup, spawnDetached, stopPid } from './procs.ts';
import { tryRun } from './run.ts';
import { ADDR, NETNS, lc, type Controller } from './topology.ts';

export const VRRP_PRIORITY: Readonly<Record<Controller, number>> = { A: 150, B: 100 };
const VIRTUAL_ROUTER_ID = 51;
const ADVERT_S = 1;

const dir = join(labFiles.runDir, 'keepalived');
const confFile = (c: Controller) => join(dir, `keepalived-${lc(c)}.conf`);
const pidFile = (c: Controller) => join(dir, `keepalived-${lc(c)}.pid`);
const vrrpPidFile = (c: Controller) => join(dir, `vrrp-${lc(c)}.pid`);
export const keepalivedLog = (c: Controller) => join(dir, `keepalived-${lc(c)}.log`);

export function keepalivedConfig(c: Controller, advertS = ADVERT_S): string {
  return `# tandem lab keepalived anchor, controller ${c} (written by tools/lab/keepalived.ts)
global_defs {
  router_id tandem_lab_${lc(c)}
}
vrrp_instance tandem_vip {
  state BACKUP
  interface lan0
  virtual_router_id ${VIRTUAL_ROUTER_ID}
  priority ${VRRP_PRIORITY[c]}
  advert_int ${advertS}
  virtual_ipaddress {
    ${ADDR.lanVip}/24 dev lan0
  }
}
`;
}

export function keepalivedPid(c: Controller): number | null {
  const pid = readPid(pidFile(c));
  return pid !== null && isAlive(pid) ? pid : null;
}

/** Starts keepalived (VRRP only, no fork, log to console) in controller `c`'s network namespace. */
export async function startKeepalived(c: Controller, advertS = ADVERT_S): Promise<number> {
  await stopKeepalived(c);
  mkdirSync(dir, { recursive: true });
  writeFileSync(confFile(c), keepalivedConfig(c, advertS));
  return spawnDetached(
    'nsenter',
    [
      `--net=${netnsPath(c)}`,
      '--',
      'keepalived',
      '--dont-fork',
      '--log-console',
      '--log-detail',
      '--vrrp',
      '--use-file',
      confFile(c),
      '--pid',
      join(dir, `main-${lc(c)}.pid`),
      '--vrrp_pid',
      vrrpPidFile(c),
    ],
    { pidFile: pidFile(c), logFile: keepalivedLog(c) },
  );
}

/** A crash: SIGKILL to keepalived's whole process group, so no priority-0 advert goes out. */
export function crashKeepalived(c: Controller): void {
  const pid = keepalivedPid(c);
  if (pid === null) throw new Error(`keepalived is not running in ${c}`);
  signalGroup(pid, 'SIGKILL');
}

export async function stopKeepalived(c: Controller): Promise<void> {
  const pid = readPid(pidFile(c));
  if (pid !== null && isAlive(pid)) await stopPid(pid, 3000);
}

/** Removes the VIP from `c`'s lan0 if present (a killed keepalived leaves it behind). */
export async function dropVip(c: Controller): Promise<void> {
  await tryRun('ip', ['-n', NETNS[c], 'address', 'del', `${ADDR.lanVip}/24`, 'dev', 'lan0']);
}

/** Stops both, removes the VIP everywhere and forgets the client's ARP entry for it. */
export async function stopAll(): Promise<void> {
  for (const c of ['A', 'B'] as const) await stopKeepalived(c);
  for (const c of ['A', 'B'] as const) await dropVip(c);
  await tryRun('ip', ['-n', NETNS.client, 'neigh', 'del', ADDR.lanVip, 'dev', 'lan0']);
}

/** Last resort on exit (sync): SIGKILL whatever keepalived we still have. */
export function killAllSync(): void {
  for (const c of ['A', 'B'] as const) {
    const pid = keepalivedPid(c);
    if (pid !== null) signalGroup(pid, 'SIGKILL');
  }
}
