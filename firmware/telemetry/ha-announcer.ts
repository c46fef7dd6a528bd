// When the telemetry publishes Home Assistant discovery: on every connect
// (retained, so a Home Assistant that starts later reads it from the
// broker), and again when Home Assistant says `online` on its status topic,
// as its documentation asks of a device. The status topic is writable by
// anyone the broker lets in, so an `online` flood republishes at most once
// per interval: the retained copy already serves whoever missed one.
import type { HeartbeatPath } from '../cluster/heartbeat-paths.ts';
import { errorMessage } from '../../hal/errors.ts';
import {
  homeAssistantChoice,
  homeAssistantDiscovery,
  homeAssistantStatusTopic,
  type DiscoveryMessage,
} from './ha-discovery.ts';
import type { TopicScope } from './topics.ts';

/** Fewer republishes than this apart are skipped. */
export const REPUBLISH_INTERVAL_MS = 5_000;
/** 'online' with some whitespace; anything longer is not Home Assistant's word. */
const MAX_STATUS_BYTES = 16;

export interface AnnouncerOptions {
  /** The connection's `mqtt` config as it is at run time (`homeAssistant` may be absent). */
  readonly mqtt: unknown;
  readonly scope: TopicScope;
  readonly paths: readonly HeartbeatPath[];
  readonly firmwareVersion: string;
  /** Publish retained, QoS 1 (the telemetry's send: counted, dropped while offline). */
  readonly send: (topic: string, body: string) => void;
  /** Monotonic ms. */
  readonly now: () => number;
  readonly warn: (message: string) => void;
}

export class HomeAssistantAnnouncer {
  private readonly discovery: DiscoveryMessage;
  private readonly statusTopic: string;
  private readonly send: (topic: string, body: string) => void;
  private readonly now: () => number;
  private lastRepublish = -Infinity;

  /** The announcer, or null when discovery is off (or its settings unusable: warned). */
  static create(o: AnnouncerOptions): HomeAssistantAnnouncer | null {
    const choice = homeAssistantChoice(o.mqtt);
    if (!choice.enabled) {
      if (choice.why !== undefined) o.warn(`mqtt: Home Assistant discovery off: ${choice.why}`);
      return null;
    }
    try {
      const discovery = homeAssistantDiscovery({ ...o, settings: choice.settings });
      return new HomeAssistantAnnouncer(discovery, homeAssistantStatusTopic(choice.settings), o);
    } catch (err) {
      o.warn(`mqtt: Home Assistant discovery off: ${errorMessage(err)}`);
      return null;
    }
  }

  private constructor(discovery: DiscoveryMessage, statusTopic: string, o: AnnouncerOptions) {
    this.discovery = discovery;
    this.statusTopic = statusTopic;
    this.send = o.send;
    this.now = o.now;
  }

  /** On every connect: publish the discovery and listen for Home Assistant's restarts. */
  connected(subscribe: (filter: string) => void): void {
    this.publish();
    subscribe(this.statusTopic);
  }

  /**
   * True when the message was Home Assistant's status (handled here); false:
   * not ours. A retained `online` is an old one the broker hands to every new
   * subscription: the connect's own publish has answered it.
   */
  message(topic: string, payload: Buffer, retained: boolean): boolean {
    if (topic !== this.statusTopic) return false;
    if (retained) return true;
    if (payload.length > MAX_STATUS_BYTES || payload.toString('latin1').trim() !== 'online') return true;
    const now = this.now();
    if (now - this.lastRepublish < REPUBLISH_INTERVAL_MS) return true;
    this.lastRepublish = now;
    this.publish();
    return true;
  }

  private publish(): void {
    this.send(this.discovery.topic, this.discovery.payload);
  }
}
