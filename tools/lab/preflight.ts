// Before `up`: be root and have every command the lab runs. When something is
// missing, say exactly which commands and which Debian package provides each.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { LabError } from './errors.ts';
import { POSTGRES_BIN } from './topology.ts';

/** command -> Debian package that provides it (absolute paths checked as is). */
export const REQUIRED_COMMANDS: Readonly<Record<string, string>> = {
  ip: 'iproute2',
  ss: 'iproute2',
  nsenter: 'util-linux',
  unshare: 'util-linux',
  mount: 'mount',
  umount: 'mount',
  losetup: 'mount',
  runuser: 'util-linux',
  'mkfs.ext4': 'e2fsprogs',
  truncate: 'coreutils',
  ping: 'iputils-ping',
  arping: 'iputils-arping',
  socat: 'socat',
  tgtd: 'tgt',
  tgtadm: 'tgt',
  'iscsi-inq': 'libiscsi-bin',
  mosquitto: 'mosquitto',
  mosquitto_pub: 'mosquitto-clients',
  mosquitto_sub: 'mosquitto-clients',
  psql: 'postgresql-client-15',
  [join(POSTGRES_BIN, 'initdb')]: 'postgresql-15',
  [join(POSTGRES_BIN, 'pg_ctl')]: 'postgresql-15',
  [join(POSTGRES_BIN, 'postgres')]: 'postgresql-15',
  fuser: 'psmisc',
  // The fault campaign: degraded links, starvation, and the client's ARP capture.
  nft: 'nftables',
  'stress-ng': 'stress-ng',
  tcpdump: 'tcpdump',
  fallocate: 'util-linux',
  // The web panel's tests: its first certificate, the browser, and a look at what a browser hides.
  openssl: 'openssl',
  chromium: 'chromium',
  curl: 'curl',
};

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findCommand(cmd: string, pathVar = process.env['PATH'] ?? ''): string | null {
  if (cmd.startsWith('/')) return isExecutable(cmd) ? cmd : null;
  // Tools in sbin are often missing from a non-login PATH: look there too.
  const dirs = [...pathVar.split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir !== '' && isExecutable(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

export interface Missing {
  readonly command: string;
  readonly pkg: string;
}

export function missingCommands(
  required: Readonly<Record<string, string>> = REQUIRED_COMMANDS,
  pathVar?: string,
): Missing[] {
  return Object.entries(required)
    .filter(([cmd]) => findCommand(cmd, pathVar) === null)
    .map(([command, pkg]) => ({ command, pkg }));
}

export function formatMissing(missing: readonly Missing[]): string {
  const lines = missing.map((m) => `  ${m.command}  (Debian package: ${m.pkg})`);
  return `missing commands:\n${lines.join('\n')}\nRun tools/setup.sh as root to install them.`;
}

/** Throws LabError naming what is wrong unless the lab can run here. */
export function preflight(): void {
  const problems: string[] = [];
  let code: 'not-root' | 'missing-commands' = 'missing-commands';
  if (process.getuid?.() !== 0) {
    problems.push('the lab must run as root (it creates namespaces, veths, loop devices and mounts).');
    code = 'not-root';
  }
  const missing = missingCommands();
  if (missing.length > 0) problems.push(formatMissing(missing));
  if (problems.length > 0) throw new LabError(code, problems.join('\n'));
}
