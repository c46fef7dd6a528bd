// `npm run lab -- VERB ...`: the lab's command line. Arguments are outside
// input: every verb validates its own and fails with a usage message.
import { LabError } from './errors.ts';
import { cut, heal } from './faults.ts';
import { DEGRADABLE, degrade, isDegradable, undegrade } from './degrade.ts';
import { fillVolume, unfill } from './fill.ts';
import { killPostgres } from './postgres.ts';
import { STARVABLE, isStarvable, starve, unstarve } from './starve.ts';
import { tgtRestart } from './tgt.ts';
import { PG_MOUNT } from './client/pg-pair.ts';
import { execIn, firmwareEnv, killFirmware, stallFirmware, startFirmware, stopFirmware } from './firmware.ts';
import { labDown, labUp } from './lab.ts';
import { controllerNsenterArgs } from './mountns.ts';
import { netnsExists, netnsPath } from './netns.ts';
import { powerOff, powerOn, requirePoweredOn } from './power.ts';
import { preflight } from './preflight.ts';
import { parseSerialMode } from './serial-mode.ts';
import { setSerialMode } from './serial.ts';
import { formatStatus, labStatus } from './status.ts';
import {
  CUTTABLE,
  isController,
  isCuttable,
  isNodeName,
  type Controller,
  type NodeName,
} from './topology.ts';

const USAGE = `usage: npm run lab -- VERB
  up | down [--purge] | status [--json]
  exec NODE CMD...            NODE: A B encl client noc lan
  start A|B -- CMD...         start the controller's firmware (detached)
  stop A|B                    SIGTERM the firmware, SIGKILL after a grace
  cut|heal LINK               LINK: ${CUTTABLE.join(' ')}
  serial-mode pass|drop|corrupt FRACTION|delay MS
  stall A|B MS | kill A|B | poweroff A|B | poweron A|B
  degrade LINK LOSS% DUP% | undegrade LINK    LINK: ${DEGRADABLE.join(' ')}
  kill-postgres A|B | fill A|B PCT | unfill A|B | restart-tgtd
  starve A|B ${STARVABLE.join('|')} WORKERS | unstarve A|B`;

function usage(msg: string): LabError {
  return new LabError('usage', `${msg}\n${USAGE}`);
}

function nodeArg(s: string | undefined): NodeName {
  const n = s === 'a' || s === 'b' ? s.toUpperCase() : s;
  if (n === undefined || !isNodeName(n)) throw usage(`unknown node ${JSON.stringify(s)}`);
  return n;
}

function controllerArg(s: string | undefined): Controller {
  const n = nodeArg(s);
  if (!isController(n)) throw usage(`${n} is not a controller (A or B)`);
  return n;
}

function msArg(s: string | undefined): number {
  if (s === undefined || !/^[0-9]{1,7}$/.test(s))
    throw usage(`expected MS (milliseconds), got ${JSON.stringify(s)}`);
  return Number(s);
}

function intArg(s: string | undefined, what: string, max: number): number {
  if (s === undefined || !/^[0-9]{1,3}$/.test(s) || Number(s) > max)
    throw usage(`expected ${what} (0..${max}), got ${JSON.stringify(s)}`);
  return Number(s);
}

function noMore(rest: readonly string[]): void {
  if (rest.length > 0) throw usage(`unexpected argument ${JSON.stringify(rest[0])}`);
}

async function main(argv: readonly string[]): Promise<number> {
  const [verb, ...rest] = argv;
  switch (verb) {
    case 'up':
      noMore(rest);
      await labUp();
      console.log('lab up');
      return 0;
    case 'down':
      if (rest.length > 0 && !(rest.length === 1 && rest[0] === '--purge'))
        throw usage('down takes only --purge');
      await labDown({ purge: rest[0] === '--purge' });
      console.log('lab down');
      return 0;
    case 'status': {
      if (rest.length > 0 && !(rest.length === 1 && rest[0] === '--json'))
        throw usage('status takes only --json');
      const s = await labStatus();
      console.log(rest[0] === '--json' ? JSON.stringify(s, null, 2) : formatStatus(s));
      return 0;
    }
    case 'exec': {
      preflight();
      const node = nodeArg(rest[0]);
      const cmd = rest.slice(1);
      if (cmd[0] === '--') cmd.shift();
      if (cmd.length === 0) throw usage('exec NODE CMD...: CMD is missing');
      if (!netnsExists(node)) throw new LabError('not-up', 'the lab is not up: run `npm run lab -- up`');
      if (isController(node)) {
        requirePoweredOn(node);
        return execIn(controllerNsenterArgs(node), cmd, firmwareEnv(node));
      }
      return execIn([`--net=${netnsPath(node)}`], cmd, process.env);
    }
    case 'start': {
      preflight();
      const c = controllerArg(rest[0]);
      if (rest[1] !== '--') throw usage('start NODE -- CMD...');
      const pid = startFirmware(c, rest.slice(2));
      console.log(`controller ${c} firmware started: pid ${pid}`);
      return 0;
    }
    case 'stop':
      preflight();
      noMore(rest.slice(1));
      await stopFirmware(controllerArg(rest[0]));
      return 0;
    case 'cut':
    case 'heal': {
      preflight();
      const link = rest[0];
      if (link === undefined || !isCuttable(link)) throw usage(`unknown link ${JSON.stringify(link)}`);
      noMore(rest.slice(1));
      await (verb === 'cut' ? cut(link) : heal(link));
      console.log(`${verb} ${link}`);
      return 0;
    }
    case 'serial-mode':
      preflight();
      console.log(`serial mode ${await setSerialMode(parseSerialMode(rest))}`);
      return 0;
    case 'stall': {
      preflight();
      const c = controllerArg(rest[0]);
      const ms = msArg(rest[1]);
      noMore(rest.slice(2));
      await stallFirmware(c, ms);
      return 0;
    }
    case 'kill': {
      preflight();
      noMore(rest.slice(1));
      const c = controllerArg(rest[0]);
      console.log(`killed controller ${c} firmware pid ${killFirmware(c)}`);
      return 0;
    }
    case 'poweroff': {
      preflight();
      noMore(rest.slice(1));
      const c = controllerArg(rest[0]);
      const n = await powerOff(c);
      console.log(`controller ${c} powered off (${n} processes killed)`);
      return 0;
    }
    case 'poweron': {
      preflight();
      noMore(rest.slice(1));
      const c = controllerArg(rest[0]);
      await powerOn(c);
      console.log(`controller ${c} powered on`);
      return 0;
    }
    case 'degrade':
    case 'undegrade': {
      preflight();
      const link = rest[0];
      if (link === undefined || !isDegradable(link))
        throw usage(`${verb}: unknown link ${JSON.stringify(link)}`);
      if (verb === 'undegrade') {
        noMore(rest.slice(1));
        await undegrade(link);
      } else {
        noMore(rest.slice(3));
        await degrade(link, {
          lossPct: intArg(rest[1], 'LOSS%', 100),
          duplicatePct: intArg(rest[2], 'DUP%', 100),
        });
      }
      console.log(`${verb} ${link}`);
      return 0;
    }
    case 'kill-postgres': {
      preflight();
      noMore(rest.slice(1));
      const c = controllerArg(rest[0]);
      const pid = await killPostgres(c);
      console.log(
        pid === null ? `no PostgreSQL runs in ${c}` : `killed PostgreSQL in ${c}: postmaster pid ${pid}`,
      );
      return pid === null ? 1 : 0;
    }
    case 'fill':
    case 'unfill': {
      preflight();
      const c = controllerArg(rest[0]);
      requirePoweredOn(c);
      if (verb === 'unfill') {
        noMore(rest.slice(1));
        await unfill(c, PG_MOUNT);
        console.log(`unfilled the data volume in ${c}`);
      } else {
        noMore(rest.slice(2));
        const bytes = await fillVolume(c, PG_MOUNT, intArg(rest[1], 'PCT', 100));
        console.log(`filled the data volume in ${c} (${bytes} bytes)`);
      }
      return 0;
    }
    case 'restart-tgtd':
      preflight();
      noMore(rest);
      await tgtRestart();
      console.log('tgtd restarted (reservations gone)');
      return 0;
    case 'starve': {
      preflight();
      const c = controllerArg(rest[0]);
      const what = rest[1];
      if (what === undefined || !isStarvable(what))
        throw usage(`starve: unknown resource ${JSON.stringify(what)}`);
      noMore(rest.slice(3));
      console.log(
        `starving ${what} in ${c}: stress-ng pid ${starve(c, what, intArg(rest[2], 'WORKERS', 64))}`,
      );
      return 0;
    }
    case 'unstarve':
      preflight();
      noMore(rest.slice(1));
      await unstarve(controllerArg(rest[0]));
      return 0;
    case undefined:
      throw usage('missing VERB');
    default:
      throw usage(`unknown verb ${JSON.stringify(verb)}`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof LabError) {
    console.error(`lab: ${err.message}`);
    process.exitCode = err.code === 'usage' ? 2 : 1;
  } else {
    console.error('lab: unexpected error:', err);
    process.exitCode = 1;
  }
}
