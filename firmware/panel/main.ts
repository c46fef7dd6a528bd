// The front-panel process: one per controller, apart from the HA daemon, so
// that a hang or crash here never delays a heartbeat or a takeover. It reads
// the panel's wiring from the config file, the status from the broker on
// this controller (firmware/telemetry/report-feed.ts) and sends what the keys ask over
// the daemon's panel socket, which runs commands with the operator role.
//
//   node firmware/panel/main.ts          the board's I2C LCD and GPIO chip
//   node firmware/panel/main.ts --sim    a simulated HD44780 and GPIO chip:
//     every change of the display (read back from the HD44780's display
//     memory), LEDs and buzzer is one JSON line on stdout, and stdin takes
//     "press KEY" / "release KEY" lines (KEY: up, down, enter, mute)
//
// Environment: TANDEM_CONTROLLER_ID, TANDEM_CONFIG_FILE, TANDEM_CONTROL_SOCKET (the panel's
// socket is beside it: console/panel-socket.ts).
import { createInterface } from 'node:readline';
import { SystemClock } from '../../hal/clock/system.ts';
import { paths } from '../../hal/paths.ts';
import { errorMessage } from '../../hal/errors.ts';
import { loadConfigFile } from '../config/load-file.ts';
import { openPanelHardware, type PanelPart } from './hardware.ts';
import { commandFor } from './commands.ts';
import { StatusFeed } from '../telemetry/report-feed.ts';
import { hostView } from './host.ts';
import { Panel } from './panel.ts';
import { sendRequest } from '../console/client.ts';
import { panelSocketPath } from '../console/panel-socket.ts';

const line = (o: Record<string, unknown>): void => void process.stdout.write(JSON.stringify(o) + '\n');

async function main(argv: readonly string[]): Promise<number> {
  const sim = argv.includes('--sim');
  const unknown = argv.filter((a) => a !== '--sim');
  if (unknown.length > 0) {
    process.stderr.write(`tandem panel: unknown argument; usage: node firmware/panel/main.ts [--sim]\n`);
    return 2;
  }
  const loaded = loadConfigFile(paths.configFile);
  if (!loaded.ok) {
    process.stderr.write(`tandem panel: ${loaded.error}\n`);
    return 2;
  }
  const { cfg, controller } = loaded.value;
  if (!cfg.panel.enabled) {
    line({ panel: 'disabled in config (panel.enabled is false)' });
    return 0;
  }
  const clock = new SystemClock();
  const socket = panelSocketPath();
  const log = (message: string): void => line({ controller, panel: message });
  const fault = (what: PanelPart, detail: string | null): void => {
    log(detail === null ? `${what} fault cleared` : `${what} fault: ${detail}`);
    sendRequest(
      socket,
      'panel-fault',
      { part: what, on: detail !== null, detail: (detail ?? '').slice(0, 200) },
      5000,
    )
      .then((r) => {
        if (r.status !== 'ok') log(`panel-fault: ${r.error}`);
      })
      .catch((err: unknown) => log(`panel-fault: ${errorMessage(err)}`));
  };
  let panel: Panel | null = null;
  const hw = await openPanelHardware({
    cfg: cfg.panel,
    clock,
    sim,
    onButton: (e) => panel?.onButton(e),
    onFault: fault,
    report: sim ? (look) => line({ ...look }) : null,
  });
  panel = new Panel({
    controller,
    clock,
    geometry: hw.geometry,
    display: hw.display,
    io: hw.io,
    send: async (action) => {
      const { command, args } = commandFor(action);
      try {
        const r = await sendRequest(socket, command, args, 10_000);
        return r.status === 'ok' ? null : r.error;
      } catch (err) {
        return errorMessage(err);
      }
    },
    log,
    host: hostView,
    signInCode: async () => {
      try {
        const r = await sendRequest(socket, 'initial-password', {}, 10_000);
        if (r.status !== 'ok') return r.error.slice(0, 40);
        const p = (r.data as { password?: unknown } | null)?.password;
        return typeof p === 'string' ? p : 'no password in the reply';
      } catch (err) {
        return errorMessage(err).slice(0, 40);
      }
    },
  });
  const feed = new StatusFeed({
    reader: 'panel',
    url: cfg.mqtt.local.url,
    scope: { prefix: cfg.mqtt.topicPrefix, boxId: cfg.box.id, controller },
    onEvent: (e) => panel?.onFeed(e),
  });
  panel.start();
  feed.start();
  if (sim) {
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (text) => hw.simKey?.(text.trim()));
  }
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  panel.stop();
  await feed.stop();
  await hw.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`tandem panel: ${errorMessage(err)}\n`);
    process.exit(1);
  },
);
