// Issue 15 item 8: the web panel in a real browser. Both lab controllers run
// the real daemon with the PostgreSQL group, their own broker and the web
// process; Debian's chromium (playwright-core) in the client's namespace
// opens the VIP over the lab LAN.
//  - First access: admin with the box's initial password, forced to change it.
//  - The overview shows both controllers and the paths; the serial link cut
//    in the lab turns its path within 2 s, without a reload.
//  - A viewer sees no switchover button and the API refuses the request; a
//    request without the CSRF token is refused; markup in an event's text is
//    shown as text.
//  - An operator's switchover moves the group on the page live, and the page
//    follows the VIP to B; A's firmware killed after a failback (the watchdog
//    then powers A off): the page follows the VIP to B again, the takeover
//    on its timeline.
// Screenshots of every page go to test-results/web-shots (docs/web.md shows three).
import { X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRequest } from '../../firmware/console/client.ts';
import { panelSocketPath } from '../../firmware/console/panel-socket.ts';
import { consoleFile, controlSocket, labOk, waitForLine } from '../../tools/lab/configs/daemons.ts';
import { GROUP, resetPair, startPgPair, started, toState } from '../../tools/lab/client/pg-pair.ts';
import { lanReport } from '../../tools/lab/net-report.ts';
import { ADDR, type Controller } from '../../tools/lab/topology.ts';
import { startLocalBroker, type LocalBroker } from './fixtures/panel-lab.ts';
import {
  clientCurl,
  clientOpenssl,
  launchClientBrowser,
  startWeb,
  webConfig,
  type LabWeb,
} from './fixtures/web-lab.ts';

const VIP = `https://${ADDR.lanVip}`;
/** Kept after the run (the lab's run dir goes with the lab): test-results/ is not committed. */
export const SHOTS = fileURLToPath(new URL('../../test-results/web-shots', import.meta.url));

async function ctl(
  c: Controller,
  command: Parameters<typeof sendRequest>[1],
  args: Record<string, unknown> = {},
) {
  const r = await sendRequest(controlSocket(c), command, args, 30_000);
  if (r.status !== 'ok') throw new Error(`${command} on ${c}: ${r.error}`);
  return r.data;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function signIn(context: BrowserContext, name: string, password: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${VIP}/`);
  await page.fill('#login-name', name);
  await page.fill('#login-password', password);
  await page.click('#login button[type=submit]');
  return page;
}

/** A user an admin made must choose their own password at first sign-in. */
async function signInNew(
  context: BrowserContext,
  name: string,
  password: string,
  chosen: string,
): Promise<Page> {
  const page = await signIn(context, name, password);
  await page.waitForSelector('#password-change');
  await page.fill('#pw-old', password);
  await page.fill('#pw-new', chosen);
  await page.fill('#pw-again', chosen);
  await page.click('#password-change button[type=submit]');
  await page.waitForSelector('svg.box');
  return page;
}

describe('the web panel in a browser, through the VIP (issue 15)', () => {
  const brokers: LocalBroker[] = [];
  const webs: Partial<Record<Controller, LabWeb>> = {};
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await startPgPair(webConfig, async () => {
      brokers.push(await startLocalBroker('A'), await startLocalBroker('B'));
    });
    webs.A = await startWeb('A');
    webs.B = await startWeb('B');
    browser = await launchClientBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    for (const w of Object.values(webs)) await w.stop();
    await resetPair();
    for (const b of brokers) await b.stop();
  }, 120_000);

  it('plain HTTP redirects; the certificate names the VIP', async () => {
    const r = await clientCurl([
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{redirect_url}',
      `http://${ADDR.lanVip}/`,
    ]);
    const redirect = `301 https://${ADDR.lanVip}/`;
    // Unreachable (000): curl's reason and the LAN's state go into the failure message.
    const why = r.stdout === redirect ? '' : `${r.stderr}\n${await lanReport()}`;
    expect(r.stdout, why).toBe(redirect);
    // The certificate the VIP's owner serves, as openssl sees it from the client.
    const pem = await clientOpenssl(['s_client', '-connect', `${ADDR.lanVip}:443`, '-showcerts']);
    const cert = new X509Certificate(pem.stdout.slice(pem.stdout.indexOf('-----BEGIN CERTIFICATE-----')));
    expect(cert.subjectAltName).toContain(`IP Address:${ADDR.lanVip}`);
    expect(cert.subjectAltName).toContain('DNS:lab-box');
  });

  it('first access: the initial password, a forced change, then both controllers and the paths; a cut serial link turns within 2 s', async () => {
    const { password } = (await ctl('A', 'initial-password')) as { password: string };
    // The same password the daemon wrote to its serial console at start.
    expect(readFileSync(consoleFile('A'), 'utf8')).toContain(password);
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await signIn(context, 'admin', password);
    await page.waitForSelector('#password-change');
    await shot(page, 'first-login');
    await page.fill('#pw-old', password);
    await page.fill('#pw-new', 'lab admin password 1');
    await page.fill('#pw-again', 'lab admin password 1');
    await page.click('#password-change button[type=submit]');
    await page.waitForSelector('svg.box g.ctl[data-controller="A"][data-state="active"]');
    await page.waitForSelector('svg.box g.ctl[data-controller="B"][data-state="standby"]');
    await page.waitForSelector('svg.box g.path[data-path="serial"][data-state="up"]');
    await shot(page, 'overview');
    // The initial password is gone once changed.
    await expect(ctl('A', 'initial-password')).rejects.toThrow(/changed/);

    const cutAt = Date.now();
    await labOk(['cut', 'serial']);
    try {
      await page.waitForSelector('svg.box g.path[data-path="serial"]:not([data-state="up"])', {
        timeout: 10_000,
      });
      const turned = Date.now() - cutAt;
      console.log(`serial cut: the page turned its path after ${turned} ms`);
      expect(turned).toBeLessThan(2000);
      await shot(page, 'overview-serial-cut');
    } finally {
      await labOk(['heal', 'serial']);
    }
    await page.waitForSelector('svg.box g.path[data-path="serial"][data-state="up"]', { timeout: 15_000 });
    // Every page an admin sees, saved.
    for (const [p, ready] of [
      ['alarms', '#page-alarms'],
      ['events', '#events-table'],
      ['config', '#config-form'],
      ['users', '#page-users'],
      ['certificate', '#cert-install'],
    ] as const) {
      await page.goto(`${VIP}/#${p}`);
      await page.waitForSelector(ready, { timeout: 15_000 });
      await shot(page, p);
    }
    await context.close();
  }, 120_000);

  it('a viewer sees no switchover and the API refuses it; no CSRF token, no change; markup in events is text', async () => {
    await ctl('A', 'user-add', { name: 'olga', role: 'operator', password: 'operator password 1' });
    await ctl('A', 'user-add', { name: 'vic', role: 'viewer', password: 'viewer password 1' });
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await signInNew(context, 'vic', 'viewer password 1', 'viewer password 2');
    await page.goto(`${VIP}/#groups`);
    await page.waitForSelector(`#groups tr[data-group="${GROUP}"]`);
    expect(await page.locator('button.switchover').count()).toBe(0);
    const refused = await page.evaluate(async (group) => {
      const s = (await (await fetch('/api/session')).json()) as { csrf: string };
      const r = await fetch('/api/commands/switchover', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf },
        body: JSON.stringify({ args: { group } }),
      });
      return { status: r.status, body: (await r.json()) as { error: string } };
    }, GROUP);
    expect(refused).toEqual({
      status: 403,
      body: { error: 'switchover needs the operator role; you are viewer' },
    });
    const noToken = await page.evaluate(async () => {
      const r = await fetch('/api/commands/mute', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      return r.status;
    });
    expect(noToken).toBe(403);
    // Text with markup reaches the event log from outside (the front panel's fault detail).
    const markup = '<img src=x id=injected onerror="document.title=1"><b>bold</b>';
    const r = await sendRequest(panelSocketPath(controlSocket('A')), 'panel-fault', {
      part: 'lcd',
      on: true,
      detail: markup,
    });
    expect(r.status).toBe('ok');
    await page.goto(`${VIP}/#events`);
    await page.waitForSelector('#events-table');
    await expect
      .poll(async () => page.locator('#events-table').innerText(), { timeout: 10_000 })
      .toContain('<b>bold</b>');
    expect(await page.locator('#injected').count()).toBe(0);
    expect(await page.locator('#events-table b').count()).toBe(0);
    await context.close();
  }, 120_000);

  it("an operator's switchover moves the group live and the page follows the VIP; A killed after failback: the page follows again, the takeover on the timeline", async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await signInNew(context, 'olga', 'operator password 1', 'operator password 2');
    await page.goto(`${VIP}/#groups`);
    await page.waitForSelector(`#groups tr[data-group="${GROUP}"][data-owner="A"]`);
    await shot(page, 'groups');
    page.once('dialog', (d) => void d.accept());
    const t0 = Date.now();
    await page.click(`button.switchover[data-group="${GROUP}"]`);
    await page.waitForSelector(`#groups tr[data-group="${GROUP}"][data-owner="B"]`, { timeout: 60_000 });
    const shown = Date.now() - t0;
    await page.waitForSelector('#link-state.ok >> text=controller B', { timeout: 30_000 });
    await page.waitForSelector('#notice >> text=controller B now serves this page');
    console.log(
      `switchover: the page showed ${GROUP} on B after ${shown} ms, served by B after ${Date.now() - t0} ms`,
    );
    await waitForLine('B', 'pg on B', t0, started('pg'), 90_000);

    // Home again, then A's firmware killed: B takes over, the page follows.
    await ctl('B', 'failback', { group: GROUP });
    await page.waitForSelector(`#groups tr[data-group="${GROUP}"][data-owner="A"]`, { timeout: 90_000 });
    await page.waitForSelector('#link-state.ok >> text=controller A', { timeout: 30_000 });
    await waitForLine('A', 'pg on A', t0, started('pg'), 90_000);
    const killedAt = Date.now();
    await labOk(['kill', 'A']);
    await page.waitForSelector('#link-state.ok >> text=controller B', { timeout: 60_000 });
    console.log(`A killed: the page was served by B after ${Date.now() - killedAt} ms`);
    await page.waitForSelector(`#groups tr[data-group="${GROUP}"][data-owner="B"]`, { timeout: 60_000 });
    await waitForLine('B', 'B active', killedAt, toState('active'), 60_000);
    await page.goto(`${VIP}/#takeovers`);
    await page.waitForSelector('#takeover-table tr[data-takeover-index="0"]', { timeout: 30_000 });
    await shot(page, 'takeovers');
    expect(await page.locator('#takeover-table tr[data-takeover-index="0"]').innerText()).toMatch(
      /takeover/i,
    );
    expect(
      await page.locator('#takeover-timeline g[data-takeover-index="0"]').getAttribute('data-kind'),
    ).toBe('takeover');
    await context.close();
  }, 360_000);
});
