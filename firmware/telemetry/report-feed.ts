// A panel's view of its firmware (the front panel's and the web panel's),
// from the broker on this controller: the retained `report` (what `tandemctl
// status` shows) and `availability` (the daemon's Last Will says `offline`
// the moment its process dies, since the broker sees the TCP connection
// close). The broker itself out of reach means the panel knows nothing: it
// says since when, rather than show stale data. Read-only: panels send their
// commands over their own sockets to the daemon.
import mqtt, { type MqttClient } from 'mqtt';
import { CLIENT_MEMORY } from './client-memory.ts';
import { topicFor, type TopicScope } from './topics.ts';
import { parseReport, type CheckedReport } from '../status/report-check.ts';

export type FeedEvent =
  | { readonly kind: 'report'; readonly report: CheckedReport }
  /** The daemon's availability: `offline` is its Last Will or its clean stop. */
  | { readonly kind: 'availability'; readonly online: boolean }
  /** The broker: connected, or lost (wall-clock ms of the loss, for "since HH:MM"). */
  | { readonly kind: 'broker'; readonly connected: boolean; readonly sinceWallMs: number }
  /** A payload refused, with why (logged; the panel keeps what it had). */
  | { readonly kind: 'refused'; readonly why: string };

export interface FeedOptions {
  /** Which process reads (its MQTT client id: two readers must not take each other's session). */
  readonly reader: 'panel' | 'web';
  readonly url: string;
  readonly scope: TopicScope;
  readonly username?: string;
  readonly password?: string;
  readonly onEvent: (e: FeedEvent) => void;
  readonly wallMs?: () => number;
}

export class StatusFeed {
  private readonly o: FeedOptions;
  private client: MqttClient | null = null;
  private readonly reportTopic: string;
  private readonly availabilityTopic: string;

  constructor(options: FeedOptions) {
    this.o = options;
    this.reportTopic = topicFor(options.scope, 'report');
    this.availabilityTopic = topicFor(options.scope, 'availability');
  }

  start(): void {
    const wall = this.o.wallMs ?? Date.now;
    const client = mqtt.connect(this.o.url, {
      clientId: `tandem-${this.o.reader}-${this.o.scope.boxId}-${this.o.scope.controller}`,
      clean: true,
      // A dead broker is noticed within a keepalive and a half.
      keepalive: 5,
      connectTimeout: 5000,
      reconnectPeriod: 1000,
      ...CLIENT_MEMORY,
      ...(this.o.username !== undefined ? { username: this.o.username } : {}),
      ...(this.o.password !== undefined ? { password: this.o.password } : {}),
    });
    this.client = client;
    let connected = false;
    client.on('connect', () => {
      connected = true;
      this.o.onEvent({ kind: 'broker', connected: true, sinceWallMs: wall() });
      client.subscribe([this.reportTopic, this.availabilityTopic], { qos: 1 }, (err) => {
        if (err) this.o.onEvent({ kind: 'refused', why: `subscribe failed: ${err.message}` });
      });
    });
    const lost = (): void => {
      if (!connected) return;
      connected = false;
      this.o.onEvent({ kind: 'broker', connected: false, sinceWallMs: wall() });
    };
    client.on('close', lost);
    client.on('offline', lost);
    client.on('error', () => undefined); // reconnects by itself; 'close' says it is gone
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c !== null) await c.endAsync(true);
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic === this.availabilityTopic) {
      const word = payload.toString('utf8');
      if (word === 'online' || word === 'offline')
        this.o.onEvent({ kind: 'availability', online: word === 'online' });
      else this.o.onEvent({ kind: 'refused', why: 'availability: neither online nor offline' });
      return;
    }
    if (topic !== this.reportTopic) return;
    const r = parseReport(payload);
    this.o.onEvent(r.ok ? { kind: 'report', report: r.value } : { kind: 'refused', why: r.error });
    // A malformed part left out (the report itself is used): logged like a refusal, by its reason.
    if (r.ok && r.value.ignored !== undefined)
      this.o.onEvent({ kind: 'refused', why: `report: ${r.value.ignored} (left out; the rest is used)` });
  }
}
