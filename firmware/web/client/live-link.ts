// The page's live stream. EventSource reconnects by itself (the server asks
// for one second); when the VIP moves in a takeover the new connection
// lands on the other controller, and the page says so instead of going
// blank. A stream that has been silent past two server pings is assumed
// dead (a controller that died without closing it) and reopened.
//
// A stream can also outlive the VIP on the old owner: once the address is
// gone from its interface, that controller can no longer send on the
// connection and the browser hears nothing, not even a reset. So every two
// seconds the page asks the address it came from who serves it; when the
// answer names another controller than the stream's, the VIP has moved and
// the stream is reopened at once.
import type { LiveStatus } from '../live.ts';

export type LinkState = 'connecting' | 'live' | 'lost';

export interface LinkEvents {
  status(s: LiveStatus): void;
  state(state: LinkState, since: number): void;
  /** The stream came back from another controller than before. */
  moved(from: string, to: string): void;
  /** The server ended the session (or the stream was refused): sign in again. */
  signedOut(): void;
}

const SILENCE_MS = 35_000;
const PROBE_MS = 2000;

export class LiveLink {
  private es: EventSource | null = null;
  private served: string | null = null;
  private heard = 0;
  private watchdog: number | null = null;
  private readonly on: LinkEvents;

  constructor(on: LinkEvents) {
    this.on = on;
  }

  open(): void {
    this.close();
    this.on.state('connecting', Date.now());
    const es = new EventSource('/api/live');
    this.es = es;
    this.heard = Date.now();
    es.addEventListener('status', (e) => {
      this.heard = Date.now();
      const s = JSON.parse((e as MessageEvent<string>).data) as LiveStatus;
      if (this.served !== null && this.served !== s.controller) this.on.moved(this.served, s.controller);
      this.served = s.controller;
      this.on.status(s);
      this.on.state('live', Date.now());
    });
    es.addEventListener('signed-out', () => {
      this.close();
      this.on.signedOut();
    });
    es.addEventListener('open', () => (this.heard = Date.now()));
    es.addEventListener('ping', () => (this.heard = Date.now()));
    es.addEventListener('error', () => {
      this.on.state('lost', Date.now());
      // CLOSED: the server answered with an error (signed out, too many pages): it will not retry by itself.
      if (es.readyState === EventSource.CLOSED) window.setTimeout(() => this.checkThenReopen(), 1000);
    });
    let probes = 0;
    this.watchdog = window.setInterval(() => {
      if (Date.now() - this.heard > SILENCE_MS) return this.open();
      if (++probes % (PROBE_MS / 1000) === 0) this.probe();
    }, 1000);
  }

  close(): void {
    this.es?.close();
    this.es = null;
    if (this.watchdog !== null) window.clearInterval(this.watchdog);
    this.watchdog = null;
  }

  private probe(): void {
    fetch('/api/served-by', { credentials: 'same-origin', cache: 'no-store' })
      .then((r) => r.json() as Promise<{ controller?: unknown }>)
      .then((r) => {
        if (this.served !== null && typeof r.controller === 'string' && r.controller !== this.served)
          this.open();
      })
      .catch(() => undefined); // unreachable for now: the stream's own error handling covers it
  }

  private checkThenReopen(): void {
    fetch('/api/session', { credentials: 'same-origin' })
      .then((r) => r.json() as Promise<{ signedIn: boolean }>)
      .then((s) => {
        if (s.signedIn) this.open();
        else {
          this.close();
          this.on.signedOut();
        }
      })
      .catch(() => window.setTimeout(() => this.checkThenReopen(), 1000));
  }
}
