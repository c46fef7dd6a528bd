// `npm run vm -- VERB`: the VM pair (docs/vm.md). Arguments are outside
// input: each verb checks its own and fails with the usage.
import { LabError } from '../lab/errors.ts';
import { isController, type Controller } from '../lab/topology.ts';
import { consolePty, killGuest, qemuPid, startGuest } from './qemu.ts';
import { vmDown, vmUp } from './pair.ts';

const USAGE = `usage: npm run vm -- VERB
  up                 the lab, then both guests from fresh flashed copies of dist/image/tandem-dev.img
  down               both guests off, then the lab down
  kill A|B           a power cut: the guest's QEMU is killed
  start A|B          power on again (the same disk)
  console A|B        print the host pty of the guest's serial console
  status             which guests run`;

function controllerArg(s: string | undefined): Controller {
  const c = s?.toUpperCase();
  if (c === undefined || !isController(c))
    throw new LabError('usage', `expected A or B, got ${JSON.stringify(s)}\n${USAGE}`);
  return c;
}

async function main(argv: readonly string[]): Promise<void> {
  const [verb, arg, ...rest] = argv;
  if (rest.length > 0)
    throw new LabError('usage', `unexpected argument ${JSON.stringify(rest[0])}\n${USAGE}`);
  switch (verb) {
    case 'up':
      await vmUp((line) => console.log(line));
      console.log('vm pair up: npm run vm -- console A (or B) for the serial consoles');
      return;
    case 'down':
      await vmDown();
      console.log('vm pair down');
      return;
    case 'kill': {
      const c = controllerArg(arg);
      console.log(killGuest(c) ? `guest ${c}: power cut` : `guest ${c} was not running`);
      return;
    }
    case 'start':
      await startGuest(controllerArg(arg));
      console.log(`guest ${String(arg).toUpperCase()} powered on`);
      return;
    case 'console': {
      const c = controllerArg(arg);
      const pty = consolePty(c);
      if (pty === null) throw new LabError('not-up', `guest ${c} is not running`);
      console.log(pty);
      return;
    }
    case 'status':
      for (const c of ['A', 'B'] as const) {
        const pid = qemuPid(c);
        console.log(
          `${c}: ${pid === null ? 'off' : `running (QEMU pid ${pid}, console ${consolePty(c) ?? '?'})`}`,
        );
      }
      return;
    case undefined:
    default:
      throw new LabError('usage', `unknown verb ${JSON.stringify(verb)}\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`npm run vm: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(err instanceof LabError && err.code === 'usage' ? 2 : 1);
});
