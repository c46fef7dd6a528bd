// The web panel process: one per controller, apart from the HA daemon (like
// the front panel), so that a hang or crash here never delays a heartbeat.
// HTTPS on web.port for the page and its API (plain HTTP on web.httpPort only
// redirects), the status from the broker on this controller, commands to the
// daemon over web.sock on the signed-in user's behalf.
//
//   node firmware/web/main.ts
//
// Environment: TANDEM_CONTROLLER_ID, TANDEM_CONFIG_FILE, TANDEM_CONTROL_SOCKET
// (web.sock is beside it), TANDEM_STATE_DIR (the certificate is in web/ there).
import { statSync } from 'node:fs';
import type { Server as TlsServer } from 'node:tls';
import { join } from 'node:path';
import { errorMessage } from '../../hal/errors.ts';
import { paths } from '../../hal/paths.ts';
import { sendRequest } from '../console/client.ts';
import { webSocketPath } from '../console/panel-socket.ts';
import { loadConfigFile } from '../config/load-file.ts';
import type { TandemConfig } from '../config/schema.ts';
import { StatusFeed } from '../telemetry/report-feed.ts';
import { buildWebApp } from './app.ts';
import { loadAssets } from './assets.ts';
import { Live } from './live.ts';
import { redirectHandler } from './redirect.ts';
import { SessionKeys } from './session.ts';
import { controllerNames, ensureCertificate, installCertificate } from './tls.ts';

/** How often the config file is read again (users' idle time, the scrape token, the web secret at first boot). */
const CONFIG_POLL_MS = 5000;

/** What tells a rewritten file from the one read last: its inode, size and modification time. */
function fileStamp(path: string): string {
  try {
    const s = statSync(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

const say = (o: Record<string, unknown>): void => void process.stdout.write(JSON.stringify(o) + '\n');

function certificateNames(cfg: TandemConfig, controller: string): { dns: string[]; ips: string[] } {
  const { dns, ips } = controllerNames(cfg.box.id, controller);
  // Both controllers' addresses the config knows: the private link's and, when the LAN carries heartbeats, the LAN's.
  const { network, lan } = cfg.cluster;
  for (const a of [network.localAddress, network.peerAddress, lan.localAddress, lan.peerAddress])
    if (a !== undefined) ips.push(a);
  for (const g of cfg.groups)
    for (const r of g.resources) {
      const address = (r as Record<string, unknown>)['address'];
      if (r.type === 'vip' && typeof address === 'string') ips.push(address);
    }
  return { dns, ips };
}

async function main(): Promise<number> {
  const loaded = loadConfigFile(paths.configFile);
  if (!loaded.ok) {
    process.stderr.write(`tandem web: ${loaded.error}\n`);
    return 2;
  }
  let cfg = loaded.value.cfg;
  const controller = loaded.value.controller;
  if (!cfg.web.enabled) {
    say({ web: 'disabled in config (web.enabled is false)' });
    return 0;
  }
  const certDir = join(paths.stateDir, 'web');
  const tls = await ensureCertificate(certDir, certificateNames(cfg, controller));
  let keys = cfg.web.secret !== undefined ? new SessionKeys(cfg.web.secret) : null;
  // Read and validated again only when the file changed (a replicated or imported config is written whole).
  let seen = fileStamp(paths.configFile);
  const reread = setInterval(() => {
    const stamp = fileStamp(paths.configFile);
    if (stamp === seen) return;
    seen = stamp;
    const again = loadConfigFile(paths.configFile);
    if (!again.ok) return say({ controller, web: `config not re-read: ${again.error}` });
    cfg = again.value.cfg;
    if (keys === null && cfg.web.secret !== undefined) keys = new SessionKeys(cfg.web.secret);
  }, CONFIG_POLL_MS);
  reread.unref();

  const live = new Live(cfg.box.id, controller);
  live.onRefused = (why) => say({ controller, web: `report refused: ${why}` });
  const socket = webSocketPath();
  const app = buildWebApp(
    {
      boxId: cfg.box.id,
      controller,
      keys: () => keys,
      idleMs: () => cfg.web.idleMinutes * 60_000,
      daemon: (command, args, as) => sendRequest(socket, command, args, 30_000, as),
      live,
      assets: loadAssets(),
      metricsToken: () => cfg.web.metricsToken,
      installCertificate: (pair) => {
        const r = installCertificate(certDir, pair);
        if (!r.ok) return r.error;
        // The HTTPS server takes the new pair for every new connection; open ones keep theirs.
        (app.server as unknown as TlsServer).setSecureContext(pair);
        say({ controller, web: `certificate installed: ${r.value.subject.replaceAll('\n', ', ')}` });
        return null;
      },
      now: Date.now,
      secure: true,
    },
    tls,
  );
  const feed = new StatusFeed({
    reader: 'web',
    url: cfg.mqtt.local.url,
    scope: { prefix: cfg.mqtt.topicPrefix, boxId: cfg.box.id, controller },
    onEvent: (e) => live.onFeed(e),
  });
  feed.start();
  await app.listen({ port: cfg.web.port, host: '0.0.0.0' });
  // node:http through getBuiltinModule, not an ESM import: the ESM facade
  // reads every export, and Node 22's http.WebSocket getter then loads
  // undici, which compiles its HTTP parser as WebAssembly at once (memory,
  // and no start at all under --lite-mode, which has no WebAssembly).
  const redirect = process.getBuiltinModule('node:http').createServer(redirectHandler(cfg.web.port));
  await new Promise<void>((resolve, reject) => {
    redirect.once('error', reject);
    redirect.listen(cfg.web.httpPort, '0.0.0.0', () => resolve());
  });
  say({ controller, web: `listening on https port ${cfg.web.port}, http ${cfg.web.httpPort} redirects` });
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  live.close();
  redirect.close();
  await app.close();
  await feed.stop();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`tandem web: ${errorMessage(err)}\n`);
    process.exit(1);
  },
);
