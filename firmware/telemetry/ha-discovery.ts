// Home Assistant MQTT discovery for one controller: a device-based discovery
// document (Home Assistant 2024.11+: `dev`, `o`, `cmps`) whose entities read
// the topics the telemetry already publishes, the retained `state`
// (ControllerStatus) and the `availability` word of the Last Will, so Home
// Assistant shows the box without a topic of its own.
//
// Maintenance is read from the controller's state ('maintenance'): the NOC
// connection publishes no `report`, and the failover machine enters that
// state whenever the box's maintenance mark is on (a transition in progress
// finishes first).
import type { HeartbeatPath } from '../cluster/heartbeat-paths.ts';
import { CONTROLLER_STATES } from '../core/states.ts';
import { assertPublishable, TopicError, topicFor, type TopicScope } from './topics.ts';

export interface HomeAssistantSettings {
  /** Discovery prefix, Home Assistant's default 'homeassistant'. */
  readonly prefix: string;
}

/** Whether discovery is on, and where; `why` says what made a present setting unusable. */
export type HomeAssistantChoice =
  | { readonly enabled: true; readonly settings: HomeAssistantSettings }
  | { readonly enabled: false; readonly why?: string };

const DEFAULT_PREFIX = 'homeassistant';
/** The schema's pattern for the prefix (config/schema.ts), at most 128 characters here. */
const PREFIX = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;
/** Home Assistant's rule for a discovery node id and a component id. */
const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const PATH_NAME = /^[a-z]{1,16}$/;

/**
 * `mqtt.homeAssistant` read from the config object as it is at run time:
 * the field may be absent (a config from before it, or the local broker's
 * connection), and then discovery is off, as it is when `enabled` is not true.
 */
export function homeAssistantChoice(mqtt: unknown): HomeAssistantChoice {
  if (typeof mqtt !== 'object' || mqtt === null) return { enabled: false };
  const ha: unknown = (mqtt as { homeAssistant?: unknown }).homeAssistant;
  if (typeof ha !== 'object' || ha === null) return { enabled: false };
  const { enabled, prefix } = ha as { enabled?: unknown; prefix?: unknown };
  if (enabled !== true) return { enabled: false };
  const p = prefix === undefined ? DEFAULT_PREFIX : prefix;
  if (typeof p !== 'string' || p.length > 128 || !PREFIX.test(p))
    return { enabled: false, why: 'mqtt.homeAssistant.prefix is not a topic prefix' };
  return { enabled: true, settings: { prefix: p } };
}

/** Where Home Assistant announces itself ('online' after it starts). */
export function homeAssistantStatusTopic(settings: HomeAssistantSettings): string {
  return assertPublishable(`${settings.prefix}/status`);
}

export interface DiscoveryInput {
  /** The telemetry's topic scope: prefix, box id, controller. */
  readonly scope: TopicScope;
  readonly settings: HomeAssistantSettings;
  /** The heartbeat paths this controller runs (ControllerStatus.peer.paths). */
  readonly paths: readonly HeartbeatPath[];
  /** The firmware's version, for the device and the origin. */
  readonly firmwareVersion: string;
}

export interface DiscoveryMessage {
  readonly topic: string;
  /** JSON; published retained, QoS 1. */
  readonly payload: string;
}

type Component = Readonly<Record<string, unknown>>;

/** The one discovery message for this controller. Throws TopicError if the box id cannot name a node. */
export function homeAssistantDiscovery(input: DiscoveryInput): DiscoveryMessage {
  const { scope, settings } = input;
  const node = `${scope.boxId}_${scope.controller}`;
  if (!NODE_ID.test(node)) throw new TopicError(`${JSON.stringify(node)} cannot be a discovery node id`);
  const availability = {
    availability_topic: topicFor(scope, 'availability'),
    payload_available: 'online',
    payload_not_available: 'offline',
  };
  const state = topicFor(scope, 'state');
  const component = (id: string, c: Component): [string, Component] => [
    id,
    { ...c, unique_id: `tandem_${node}_${id}`, state_topic: state, ...availability },
  ];
  const binary = (test: string): string => `{{ 'ON' if ${test} else 'OFF' }}`;
  const states = { device_class: 'enum', options: [...CONTROLLER_STATES] };
  const cmps: [string, Component][] = [
    component('state', { p: 'sensor', name: 'State', value_template: '{{ value_json.state }}', ...states }),
    // A peer not heard yet has peerState null, which renders None: unknown.
    component('peer_state', {
      p: 'sensor',
      name: 'Peer state',
      value_template: '{{ value_json.peer.peerState }}',
      ...states,
    }),
    component('active_alarms', {
      p: 'sensor',
      name: 'Active alarms',
      value_template: '{{ value_json.activeAlarms }}',
      state_class: 'measurement',
    }),
    component('maintenance', {
      p: 'binary_sensor',
      name: 'Maintenance',
      value_template: binary("value_json.state == 'maintenance'"),
    }),
    component('disk_access', {
      p: 'binary_sensor',
      name: 'Disk access',
      device_class: 'connectivity',
      value_template: binary('value_json.diskAccess'),
    }),
  ];
  for (const path of input.paths) {
    if (!PATH_NAME.test(path)) continue;
    const up = `value_json.peer.paths | selectattr('path', 'eq', '${path}') | selectattr('state', 'eq', 'up') | list | length > 0`;
    cmps.push(
      component(`path_${path}`, {
        p: 'binary_sensor',
        name: `Heartbeat ${path}`,
        device_class: 'connectivity',
        entity_category: 'diagnostic',
        value_template: binary(up),
      }),
    );
  }
  const version = /^[\w.+-]{1,32}$/.test(input.firmwareVersion) ? input.firmwareVersion : 'unknown';
  const document = {
    dev: {
      ids: [`tandem_${node}`],
      name: `Tandem ${scope.boxId} ${scope.controller}`,
      mf: 'Tandem',
      mdl: 'Tandem storage controller',
      sw: version,
    },
    o: { name: 'tandem', sw: version },
    cmps: Object.fromEntries(cmps),
    qos: 1,
  };
  return {
    topic: assertPublishable(`${settings.prefix}/device/${node}/config`),
    payload: JSON.stringify(document),
  };
}
