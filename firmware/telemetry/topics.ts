// Every MQTT topic Tandem uses and the payload that travels on it, in one
// typed map (after zigbee2mqtt's topic -> payload map). The publisher, the
// NOC-side test clients and docs/mqtt.md all follow this file.
//
//   <prefix>/<box>/status                  BoxStatus        retained
//   <prefix>/<box>/<ctl>/availability      'online'|'offline' retained, QoS 1, Last Will
//   <prefix>/<box>/<ctl>/state             ControllerStatus retained
//   <prefix>/<box>/<ctl>/report            StatusReport     retained (what `tandemctl status` shows)
//   <prefix>/<box>/<ctl>/event             LoggedEvent
//   <prefix>/<box>/<ctl>/alarm             AlarmChange
//   <prefix>/<box>/<ctl>/metrics           Metrics
//   <prefix>/<box>/<ctl>/request/<cmd>     SignedRequest    (NOC -> controller)
//   <prefix>/<box>/<ctl>/response/<cmd>    CommandResponse  (controller -> NOC)
import type { AlarmChange } from '../alarms/alarm-manager.ts';
import type { ControllerId } from '../cluster/codes.ts';
import type { CommandResponse } from '../core/envelope.ts';
import type { ControllerStatus, GroupStatus, StatusReport } from '../status/snapshot.ts';
import type { ControllerState } from '../core/states.ts';
import type { LoggedEvent } from '../events/types.ts';

export type Availability = 'online' | 'offline';

/** The box as a whole, published by the controller that reports for it. */
export interface BoxStatus {
  readonly boxId: string;
  readonly reportedBy: ControllerId;
  /** The controller running groups, or null when none does. */
  readonly active: ControllerId | null;
  readonly controllers: Readonly<Partial<Record<ControllerId, ControllerState | 'unknown'>>>;
  readonly groups: readonly GroupStatus[];
  readonly activeAlarms: number;
  readonly updatedAt: number;
}

/**
 * Metrics as a flat list of named numbers rather than a nested object, so a
 * Sparkplug B publisher (REFERENCE section 8) can be added later unchanged.
 */
export interface Metrics {
  readonly ts: number;
  readonly metrics: readonly { readonly name: string; readonly value: number; readonly unit?: string }[];
}

/** A command as the NOC publishes it; see signature.ts for `sig`. */
export interface SignedRequest {
  readonly args: Readonly<Record<string, unknown>>;
  readonly transaction: string;
  /** Wall-clock ms when the NOC signed it; outside the window it is refused. */
  readonly ts: number;
  /** Hex HMAC-SHA256 of the canonical request under mqtt.commandToken. */
  readonly sig: string;
}

/** Topic kind -> payload. Every publish goes through this map. */
export interface TopicPayloads {
  status: BoxStatus;
  availability: Availability;
  state: ControllerStatus;
  report: StatusReport;
  event: LoggedEvent;
  alarm: AlarmChange;
  metrics: Metrics;
  request: SignedRequest;
  response: CommandResponse;
}
export type TopicKind = keyof TopicPayloads;

/** How each kind is published: retained state vs. a stream of happenings. */
export const TOPIC_QOS: Readonly<Record<TopicKind, { qos: 0 | 1; retain: boolean }>> = {
  status: { qos: 1, retain: true },
  availability: { qos: 1, retain: true },
  state: { qos: 1, retain: true },
  report: { qos: 1, retain: true },
  event: { qos: 1, retain: false },
  alarm: { qos: 1, retain: false },
  metrics: { qos: 0, retain: false },
  request: { qos: 1, retain: false },
  response: { qos: 1, retain: false },
};

export interface TopicScope {
  readonly prefix: string;
  readonly boxId: string;
  readonly controller: ControllerId;
}

/** One topic level: no wildcard, no separator, not empty, printable. */
const LEVEL = /^[A-Za-z0-9_.-]{1,64}$/;

export class TopicError extends Error {}

/** Throws unless the topic is safe to publish: no +, #, empty level or control character. */
export function assertPublishable(topic: string): string {
  if (topic.length === 0 || topic.length > 512) throw new TopicError(`topic length ${topic.length}`);
  // eslint-disable-next-line no-control-regex
  if (/[+#\u0000-\u001f\u007f]/.test(topic))
    throw new TopicError(`topic ${JSON.stringify(topic)} has a wildcard or control character`);
  if (topic.split('/').some((l) => l === ''))
    throw new TopicError(`topic ${JSON.stringify(topic)} has an empty level`);
  return topic;
}

function level(value: string, what: string): string {
  if (!LEVEL.test(value)) throw new TopicError(`${what} ${JSON.stringify(value)} is not a valid topic level`);
  return value;
}

export function boxBase(scope: Pick<TopicScope, 'prefix' | 'boxId'>): string {
  return `${scope.prefix}/${level(scope.boxId, 'box id')}`;
}

export function controllerBase(scope: TopicScope): string {
  return `${boxBase(scope)}/${level(scope.controller, 'controller')}`;
}

type Simple = Exclude<TopicKind, 'request' | 'response'>;

/** The topic for a kind; request/response take the command name as last level. */
export function topicFor(scope: TopicScope, kind: Simple): string;
export function topicFor(scope: TopicScope, kind: 'request' | 'response', command: string): string;
export function topicFor(scope: TopicScope, kind: TopicKind, command?: string): string {
  const topic =
    kind === 'status'
      ? `${boxBase(scope)}/status`
      : kind === 'request' || kind === 'response'
        ? `${controllerBase(scope)}/${kind}/${level(command ?? '', 'command')}`
        : `${controllerBase(scope)}/${kind}`;
  return assertPublishable(topic);
}

/** What the controller subscribes to for commands (one wildcard level). */
export function requestFilter(scope: TopicScope): string {
  return `${controllerBase(scope)}/request/+`;
}

/** The command level of a request topic, or null if the topic is not one of ours. */
export function commandOfRequestTopic(scope: TopicScope, topic: string): string | null {
  const base = `${controllerBase(scope)}/request/`;
  if (!topic.startsWith(base)) return null;
  const rest = topic.slice(base.length);
  return rest.length > 0 && !rest.includes('/') ? rest : null;
}

/** Serialise a payload for its topic kind (availability is a bare word). */
export function encodePayload<K extends TopicKind>(kind: K, payload: TopicPayloads[K]): string {
  return typeof payload === 'string' ? payload : JSON.stringify(payload);
}
