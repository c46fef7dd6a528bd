// The web bench's browser: Debian's chromium driven by playwright-core (never
// a downloaded browser), signed in by the bench's own cookie, showing the
// overview. A MutationObserver in the page notes the page's Date.now() the
// first time each "config version N" is on screen, so a push's latency is
// measured where the operator sees it, after the page has drawn it.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SESSION_COOKIE } from '../../firmware/web/session.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** Fail before anything starts when the browser is not installed. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: the web bench drives Debian's chromium; install the package chromium ` +
        '(apt-get install chromium; tools/setup.sh installs it)',
    );
}

/** Runs in the page (serialized by playwright): note when each config version is first shown. */
function watchConfigVersion(): void {
  const g = globalThis as unknown as {
    benchSeen: Record<string, number>;
    document: { body: object; getElementById(id: string): { textContent: string | null } | null };
    MutationObserver: new (cb: () => void) => { observe(target: object, o: Record<string, boolean>): void };
  };
  g.benchSeen = {};
  const look = (): void => {
    // The overview's line "Firmware … · config version N · …"; the dot after N keeps 12 from matching 123.
    const m = /config version (\d+) ·/.exec(g.document.getElementById('main')?.textContent ?? '');
    if (m?.[1] !== undefined) g.benchSeen[m[1]] ??= Date.now();
  };
  new g.MutationObserver(look).observe(g.document.body, {
    childList: true,
    subtree: true,
    characterData: true,
  });
  look();
}

export class OverviewPage {
  private readonly browser: Browser;
  private readonly page: Page;

  private constructor(browser: Browser, page: Page) {
    this.browser = browser;
    this.page = page;
  }

  /** The overview of https://127.0.0.1:port/, signed in with `cookie` (the session cookie's value). */
  static async open(port: number, cookie: string): Promise<OverviewPage> {
    requireChromium();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const url = `https://127.0.0.1:${port}/`;
      await context.addCookies([
        { name: SESSION_COOKIE, value: cookie, url, httpOnly: true, secure: true, sameSite: 'Strict' },
      ]);
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForSelector('svg.box', { timeout: 30_000 });
      await page.evaluate(watchConfigVersion);
      return new OverviewPage(browser, page);
    } catch (err) {
      await browser.close();
      throw err;
    }
  }

  /** The page's clock when "config version `n`" first showed (waits up to `ms`). */
  async shownAt(n: number, ms: number): Promise<number> {
    const handle = await this.page.waitForFunction(
      (key: string) => (globalThis as unknown as { benchSeen: Record<string, number> }).benchSeen[key],
      String(n),
      { polling: 10, timeout: ms },
    );
    return (await handle.jsonValue()) as number;
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
