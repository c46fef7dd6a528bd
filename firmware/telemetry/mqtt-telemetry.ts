// The MQTT telemetry extension: publishes this controller's state, the box
// status, availability (with a Last Will), events, alarms and metrics under
// <prefix>/<box>/..., and answers signed commands on request/response topics.
//
// Retained kinds (state, status, availability) are only published while
// connected: the 'connect' handler republishes the latest of each, so a
// reconnect never replays a backlog of stale states. Events and alarms that
// happen while the broker is unreachable are counted and dropped here; they
// stay in the persistent event log, which the NOC can query with `log`.
//
// A broker out of reach for longer than a grace period raises MQTT_DOWN on
// the box itself (LCD, console), since the NOC cannot be told; it clears on
// the next connect. The grace keeps a broker restart from alarming.
//
// The daemon runs two of these: one to the NOC's broker (commands taken) and
// one to the controller's own broker on loopback, which the front and web
// panels read (no commands there: the panels use the control socket). The
// NOC connection stays the daemon's own, rather than a bridge from the local
// broker, so that the NOC keeps the daemon's Last Will: a bridge's will is
// mosquitto's own "0"/"1" on its own topic, and a controller that loses
// power takes its local broker with it.
//
// The client library is imported when a connection starts, not with this
// module: a config with MQTT off never loads it (docs/footprint.md).
import type { IClientOptions, MqttClient } from 'mqtt';
import type { AlarmChange, AlarmManager } from '../alarms/alarm-manager.ts';
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import type { TandemConfig } from '../config/schema.ts';
import type { CommandHandler, CommandResponse } from '../core/envelope.ts';
import type { Extension } from '../core/extension.ts';
import { LIMITS } from '../core/limits.ts';
import { RefusalSummary } from '../core/refusal-summary.ts';
import type { ControllerStatus, StatusReport, StatusSource } from '../status/snapshot.ts';
import type { LoggedEvent } from '../events/types.ts';
import { CLIENT_MEMORY } from './client-memory.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { boxStatusOf, reportsForBox } from './box-status.ts';
import { MetricsSampler, type ExtraMetrics } from './metrics.ts';
import { HomeAssistantAnnouncer } from './ha-announcer.ts';
import { firmwareVersion } from '../core/firmware-version.ts';
import { intakeRequest } from './request-intake.ts';
import { RequestVerifier } from './signature.ts';
import {
  commandOfRequestTopic,
  encodePayload,
  requestFilter,
  TOPIC_QOS,
  topicFor,
  type TopicPayloads,
  type TopicScope,
} from './topics.ts';
import { errorMessage } from '../../hal/errors.ts';

export interface TelemetryLog {
  info(message: string): void;
  warn(message: string): void;
}

/** One broker connection's settings: the NOC's (`mqtt`), or the local one mapped onto the same shape. */
export type MqttConnection = Omit<TandemConfig['mqtt'], 'local' | 'homeAssistant'>;

export interface TelemetryOptions {
  readonly config: { readonly mqtt: MqttConnection };
  readonly statusSource: StatusSource;
  readonly commandHandler: CommandHandler;
  readonly alarms?: { subscribe(listener: (change: AlarmChange) => void): () => void };
  /** Where MQTT_DOWN is raised and cleared (the controller's alarm manager). */
  readonly alarmSink?: Pick<AlarmManager, 'raise' | 'clear'>;
  /** How long the broker may be out of reach before MQTT_DOWN (default 30 s). */
  readonly downAlarmAfterMs?: number;
  readonly eventLog?: { subscribe(listener: (event: LoggedEvent) => void): () => void };
  readonly clock: Clock;
  readonly log: TelemetryLog;
  readonly metricsIntervalMs?: number;
  readonly extraMetrics?: ExtraMetrics;
  readonly backoff?: BackoffOptions;
  /** Signed requests older or newer than this are refused. */
  readonly commandWindowMs?: number;
  /** Extension name (logs); default 'mqtt-telemetry'. */
  readonly name?: string;
  /** Subscribe to signed requests and answer them (default true; the local broker's copy does not). */
  readonly answerRequests?: boolean;
  /** The `status` command's report, published retained as `report` (coalesced) when given. */
  readonly reportSource?: () => Promise<StatusReport | null>;
  /** More changes that alter the report (mute, locate). Returns unsubscribe. */
  readonly reportChanges?: (listener: () => void) => () => void;
}

/** Status and alarm changes within this window make one report. */
const REPORT_COALESCE_MS = 50;

/** Commands run at once per controller; more are refused as busy, not queued. */
const MAX_IN_FLIGHT = 8;
const DEFAULT_DOWN_ALARM_AFTER_MS = 30_000;

export class MqttTelemetry implements Extension {
  readonly name: string;
  private readonly options: TelemetryOptions;
  private readonly scope: TopicScope;
  private readonly verifier: RequestVerifier;
  private readonly sampler: MetricsSampler;
  private readonly backoff: BackoffOptions;
  private client: MqttClient | null = null;
  private unsubscribers: (() => void)[] = [];
  private metricsTimer: TimerHandle | null = null;
  private refusalTimer: TimerHandle | null = null;
  /** Refused requests reach the log as one row per interval, however many arrive. */
  private readonly refusals: RefusalSummary;
  private downTimer: TimerHandle | null = null;
  private downRaised = false;
  private attempt = 0;
  private inFlight = 0;
  private reportTimer: TimerHandle | null = null;
  /** Home Assistant discovery (mqtt.homeAssistant), null when off. */
  private readonly homeAssistant: HomeAssistantAnnouncer | null;
  private readonly counters = {
    mqtt_published: 0,
    mqtt_dropped_offline: 0,
    mqtt_connects: 0,
    commands_run: 0,
    commands_refused: 0,
  };

  constructor(options: TelemetryOptions) {
    this.options = options;
    this.name = options.name ?? 'mqtt-telemetry';
    const s = options.statusSource.current();
    this.scope = { prefix: options.config.mqtt.topicPrefix, boxId: s.boxId, controller: s.controller };
    // Fails here, at construction, if the box id cannot be a topic level.
    topicFor(this.scope, 'state');
    this.verifier = new RequestVerifier({
      token: options.config.mqtt.commandToken,
      ...(options.commandWindowMs !== undefined ? { windowMs: options.commandWindowMs } : {}),
    });
    this.refusals = new RefusalSummary({
      intervalMs: LIMITS.mqttRefusalSummaryMs,
      now: () => options.clock.monotonicMs(),
      what: 'MQTT requests',
      write: (line, summary) => options.log.warn(summary ? `mqtt: ${line}` : `mqtt: refused ${line}`),
    });
    this.sampler = new MetricsSampler(options.extraMetrics);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.homeAssistant = HomeAssistantAnnouncer.create({
      mqtt: options.config.mqtt,
      scope: this.scope,
      paths: s.peer.paths.map((p) => p.path),
      firmwareVersion: firmwareVersion(),
      send: (topic, body) => this.send(topic, body, { qos: 1, retain: true }),
      now: () => options.clock.monotonicMs(),
      warn: (m) => options.log.warn(m),
    });
  }

  /** Connection options, including the Last Will; exported for tests and docs. */
  clientOptions(): IClientOptions {
    const m = this.options.config.mqtt;
    return {
      clientId: `tandem-${this.scope.boxId}-${this.scope.controller}`,
      clean: true,
      keepalive: 15,
      connectTimeout: 10_000,
      reconnectPeriod: this.backoff.baseMs,
      resubscribe: false,
      queueQoSZero: false,
      ...CLIENT_MEMORY,
      ...(m.username !== undefined ? { username: m.username } : {}),
      ...(m.password !== undefined ? { password: m.password } : {}),
      ...(m.tls.ca !== undefined ? { ca: m.tls.ca } : {}),
      ...(m.tls.cert !== undefined ? { cert: m.tls.cert } : {}),
      ...(m.tls.key !== undefined ? { key: m.tls.key } : {}),
      will: {
        topic: topicFor(this.scope, 'availability'),
        payload: Buffer.from(encodePayload('availability', 'offline')),
        qos: 1,
        retain: true,
      },
    };
  }

  async start(): Promise<void> {
    if (!this.options.config.mqtt.enabled) {
      this.options.log.info('mqtt: disabled in config');
      return;
    }
    const { default: mqtt } = await import('mqtt');
    const client = mqtt.connect(this.options.config.mqtt.url, this.clientOptions());
    this.client = client;
    client.on('connect', () => this.onConnect(client));
    client.on('reconnect', () => {
      // Lengthen the wait before the next try; mqtt.js reads it when it schedules one.
      this.attempt += 1;
      client.options.reconnectPeriod = backoffDelay(this.attempt + 1, this.backoff);
    });
    client.on('error', (err) => this.options.log.warn(`mqtt: ${err.message}`));
    client.on('offline', () => {
      this.options.log.warn('mqtt: broker unreachable; retrying with backoff');
      this.armDownAlarm();
    });
    client.on('close', () => this.armDownAlarm());
    client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet.retain));

    this.unsubscribers.push(this.options.statusSource.onChange((s) => this.publishStatus(s)));
    if (this.options.eventLog)
      this.unsubscribers.push(this.options.eventLog.subscribe((e) => this.publish('event', e)));
    if (this.options.alarms)
      this.unsubscribers.push(
        this.options.alarms.subscribe((c) => {
          this.publish('alarm', c);
          this.scheduleReport();
        }),
      );
    if (this.options.reportChanges)
      this.unsubscribers.push(this.options.reportChanges(() => this.scheduleReport()));
    this.sampler.start();
    this.metricsTimer = this.options.clock.every(this.options.metricsIntervalMs ?? 10_000, () =>
      this.publish('metrics', this.sampler.sample(this.options.clock.wallMs(), this.counters)),
    );
    this.refusalTimer = this.options.clock.every(LIMITS.mqttRefusalSummaryMs, () => this.refusals.flush());
    // Start does not wait for the broker: an unreachable NOC must not hold up the daemon.
    this.armDownAlarm();
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribers.splice(0)) u();
    this.metricsTimer?.cancel();
    this.metricsTimer = null;
    this.refusalTimer?.cancel();
    this.refusalTimer = null;
    this.refusals.flush();
    this.downTimer?.cancel();
    this.downTimer = null;
    this.reportTimer?.cancel();
    this.reportTimer = null;
    this.sampler.stop();
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (client.connected) {
      try {
        // A clean stop says so; the Last Will is only for a crash or a lost link.
        await client.publishAsync(topicFor(this.scope, 'availability'), 'offline', TOPIC_QOS.availability);
      } catch (err) {
        this.options.log.warn(`mqtt: could not publish offline: ${(err as Error).message}`);
      }
    }
    await client.endAsync(!client.connected);
  }

  /** The broker as an operator names it: host and port, never the credentials. */
  private brokerName(): string {
    try {
      return new URL(this.options.config.mqtt.url).host;
    } catch {
      return 'broker';
    }
  }

  private armDownAlarm(): void {
    if (this.downTimer !== null || this.downRaised || this.client === null || this.client.connected) return;
    const after = this.options.downAlarmAfterMs ?? DEFAULT_DOWN_ALARM_AFTER_MS;
    this.downTimer = this.options.clock.after(after, () => {
      this.downTimer = null;
      if (this.client === null || this.client.connected) return;
      this.downRaised = true;
      this.options.alarmSink?.raise('MQTT_DOWN', { subject: this.brokerName() });
    });
  }

  private onConnect(client: MqttClient): void {
    this.downTimer?.cancel();
    this.downTimer = null;
    if (this.downRaised) {
      this.downRaised = false;
      this.options.alarmSink?.clear('MQTT_DOWN', this.brokerName());
    }
    this.attempt = 0;
    client.options.reconnectPeriod = this.backoff.baseMs;
    this.counters.mqtt_connects += 1;
    this.options.log.info(`mqtt: connected to ${this.options.config.mqtt.url}`);
    this.publish('availability', 'online');
    this.publishStatus(this.options.statusSource.current());
    this.homeAssistant?.connected((filter) =>
      client.subscribe(filter, { qos: 1 }, (err) => {
        if (err) this.options.log.warn(`mqtt: subscribe to ${filter} failed: ${err.message}`);
      }),
    );
    if (this.options.answerRequests === false) return;
    client.subscribe(requestFilter(this.scope), { qos: 1 }, (err) => {
      if (err) this.options.log.warn(`mqtt: subscribe to requests failed: ${err.message}`);
    });
  }

  private publishStatus(status: ControllerStatus): void {
    this.publish('state', status);
    if (reportsForBox(status)) this.publish('status', boxStatusOf(status));
    this.scheduleReport();
  }

  /** One report for a burst of changes; never more than one being built. */
  private scheduleReport(): void {
    const source = this.options.reportSource;
    if (source === undefined || this.reportTimer !== null) return;
    this.reportTimer = this.options.clock.after(REPORT_COALESCE_MS, () => {
      source()
        .then((report) => {
          if (report !== null) this.publish('report', report);
        })
        .catch((err: unknown) => this.options.log.warn(`mqtt: status report failed: ${errorMessage(err)}`))
        .finally(() => {
          this.reportTimer = null;
        });
    });
  }

  private publish<K extends Exclude<keyof TopicPayloads, 'request' | 'response'>>(
    kind: K,
    payload: TopicPayloads[K],
  ): void {
    this.send(topicFor(this.scope, kind), encodePayload(kind, payload), TOPIC_QOS[kind]);
  }

  private send(topic: string, body: string, opts: { qos: 0 | 1; retain: boolean }): void {
    const client = this.client;
    if (!client?.connected) {
      this.counters.mqtt_dropped_offline += 1;
      return;
    }
    this.counters.mqtt_published += 1;
    client.publish(topic, body, opts, (err) => {
      if (err) this.options.log.warn(`mqtt: publish to ${topic} failed: ${err.message}`);
    });
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    if (this.homeAssistant?.message(topic, payload, retained) === true) return;
    const commandLevel = commandOfRequestTopic(this.scope, topic);
    if (commandLevel === null) return;
    const intake = intakeRequest({
      commandLevel,
      payload,
      boxId: this.scope.boxId,
      controller: this.scope.controller,
      verifier: this.verifier,
      nowMs: this.options.clock.wallMs(),
    });
    if (intake.kind === 'refuse') {
      this.counters.commands_refused += 1;
      // The tame command level (respondOn), never the raw topic text.
      this.refusals.note(`${intake.response.error ?? ''} [${intake.respondOn}]`);
      this.respond(intake.respondOn, intake.response);
      return;
    }
    const { request } = intake;
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.counters.commands_refused += 1;
      this.refusals.note(`busy: too many commands in progress [${intake.respondOn}]`);
      this.respond(intake.respondOn, {
        status: 'error',
        data: null,
        error: 'busy: too many commands in progress',
        transaction: request.transaction,
      });
      return;
    }
    this.inFlight += 1;
    this.counters.commands_run += 1;
    this.options.commandHandler
      .handle(request)
      .catch((err: unknown): CommandResponse => ({
        status: 'error',
        data: null,
        error: `internal: ${errorMessage(err)}`,
        transaction: request.transaction,
      }))
      .then((response) => this.respond(intake.respondOn, { ...response, transaction: request.transaction }))
      .finally(() => {
        this.inFlight -= 1;
      })
      .catch(() => undefined);
  }

  private respond(command: string, response: CommandResponse): void {
    this.send(
      topicFor(this.scope, 'response', command),
      encodePayload('response', response),
      TOPIC_QOS.response,
    );
  }
}
