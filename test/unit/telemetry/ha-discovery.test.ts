// Home Assistant discovery: the document, the setting read from a config
// that may predate it, and when the announcer republishes.
import { describe, expect, it } from 'vitest';
import {
  homeAssistantChoice,
  homeAssistantDiscovery,
  homeAssistantStatusTopic,
} from '../../../firmware/telemetry/ha-discovery.ts';
import { HomeAssistantAnnouncer, REPUBLISH_INTERVAL_MS } from '../../../firmware/telemetry/ha-announcer.ts';
import { TopicError, topicFor, type TopicScope } from '../../../firmware/telemetry/topics.ts';
import { TelemetryBox } from '../../lab/fixtures/telemetry-box.ts';

const scope: TopicScope = { prefix: 'tandem', boxId: 'box1', controller: 'A' };
const settings = { prefix: 'homeassistant' };

type Doc = {
  dev: { ids: string[]; name: string; sw: string };
  o: { name: string };
  cmps: Record<string, Record<string, unknown>>;
};

function discovery(paths = ['serial', 'net', 'disk'] as const): { topic: string; doc: Doc } {
  const m = homeAssistantDiscovery({ scope, settings, paths, firmwareVersion: '0.1.0' });
  return { topic: m.topic, doc: JSON.parse(m.payload) as Doc };
}

/** The value a template's `value_json.a.b` names, in a real ControllerStatus. */
function resolve(root: unknown, path: string): unknown {
  let v = root;
  for (const key of path.split('.')) {
    expect(typeof v === 'object' && v !== null && key in v, `value_json.${path}`).toBe(true);
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

describe('Home Assistant discovery document', () => {
  it('one device-based discovery message per controller, valid JSON', () => {
    const { topic, doc } = discovery();
    expect(topic).toBe('homeassistant/device/box1_A/config');
    expect(doc.dev).toMatchObject({ ids: ['tandem_box1_A'], name: 'Tandem box1 A', sw: '0.1.0' });
    expect(doc.o.name).toBe('tandem');
    expect(Object.keys(doc.cmps)).toEqual([
      'state',
      'peer_state',
      'active_alarms',
      'maintenance',
      'disk_access',
      'path_serial',
      'path_net',
      'path_disk',
    ]);
  });

  it('every entity reads a topic the telemetry publishes, with the Last Will for availability', () => {
    const { doc } = discovery();
    const published = new Set((['status', 'state', 'availability'] as const).map((k) => topicFor(scope, k)));
    const status = new TelemetryBox({ boxId: 'box1', controller: 'A' }).current();
    for (const c of Object.values(doc.cmps)) {
      expect(published.has(c['state_topic'] as string)).toBe(true);
      expect(c['state_topic']).toBe(topicFor(scope, 'state'));
      expect(c).toMatchObject({
        availability_topic: topicFor(scope, 'availability'),
        payload_available: 'online',
        payload_not_available: 'offline',
      });
      expect(['sensor', 'binary_sensor']).toContain(c['p']);
      // Every field a template reads exists in the state payload.
      for (const m of (c['value_template'] as string).matchAll(/value_json\.([A-Za-z.]+)/g))
        resolve(status, m[1] as string);
    }
  });

  it('unique ids are unique, and differ between the controllers', () => {
    const ids = (s: TopicScope): string[] =>
      Object.values(
        (
          JSON.parse(
            homeAssistantDiscovery({ scope: s, settings, paths: ['serial', 'net'], firmwareVersion: 'x' })
              .payload,
          ) as Doc
        ).cmps,
      ).map((c) => c['unique_id'] as string);
    const a = ids(scope);
    const b = ids({ ...scope, controller: 'B' });
    expect(new Set([...a, ...b]).size).toBe(a.length + b.length);
  });

  it('binary sensors render ON/OFF, path sensors name their path', () => {
    const { doc } = discovery();
    expect(doc.cmps['maintenance']?.['value_template']).toBe(
      "{{ 'ON' if value_json.state == 'maintenance' else 'OFF' }}",
    );
    expect(doc.cmps['path_net']).toMatchObject({ device_class: 'connectivity', name: 'Heartbeat net' });
    expect(doc.cmps['path_net']?.['value_template']).toContain("selectattr('path', 'eq', 'net')");
  });

  it('refuses a box id that cannot be a node id, and an unusable firmware version becomes unknown', () => {
    expect(() =>
      homeAssistantDiscovery({
        scope: { ...scope, boxId: 'box.1' },
        settings,
        paths: [],
        firmwareVersion: '1',
      }),
    ).toThrow(TopicError);
    const m = homeAssistantDiscovery({ scope, settings, paths: [], firmwareVersion: '1"}\n' });
    expect((JSON.parse(m.payload) as Doc).dev.sw).toBe('unknown');
  });
});

describe('mqtt.homeAssistant', () => {
  it('absent, not an object or not enabled: off', () => {
    expect(homeAssistantChoice({ url: 'mqtt://x' })).toEqual({ enabled: false });
    expect(homeAssistantChoice(null)).toEqual({ enabled: false });
    expect(homeAssistantChoice({ homeAssistant: 'yes' })).toEqual({ enabled: false });
    expect(homeAssistantChoice({ homeAssistant: { enabled: 'true' } })).toEqual({ enabled: false });
  });

  it('enabled: the prefix, Home Assistant’s default when unset; a wildcard prefix is refused', () => {
    expect(homeAssistantChoice({ homeAssistant: { enabled: true } })).toEqual({
      enabled: true,
      settings: { prefix: 'homeassistant' },
    });
    expect(homeAssistantChoice({ homeAssistant: { enabled: true, prefix: 'ha/test' } })).toEqual({
      enabled: true,
      settings: { prefix: 'ha/test' },
    });
    for (const prefix of ['ha/+', 'ha/#', '', 'ha//x', 7, 'x'.repeat(129)])
      expect(homeAssistantChoice({ homeAssistant: { enabled: true, prefix } })).toMatchObject({
        enabled: false,
        why: expect.any(String) as string,
      });
    expect(homeAssistantStatusTopic({ prefix: 'ha/test' })).toBe('ha/test/status');
  });
});

describe('HomeAssistantAnnouncer', () => {
  const make = (mqtt: unknown) => {
    let now = 1_000;
    const sent: string[] = [];
    const warnings: string[] = [];
    const announcer = HomeAssistantAnnouncer.create({
      mqtt,
      scope,
      paths: ['serial'],
      firmwareVersion: '0.1.0',
      send: (topic) => sent.push(topic),
      now: () => now,
      warn: (m) => warnings.push(m),
    });
    return { announcer, sent, warnings, advance: (ms: number) => (now += ms) };
  };
  const online = Buffer.from('online');

  it('off: no announcer; unusable settings say why', () => {
    expect(make({}).announcer).toBeNull();
    const bad = make({ homeAssistant: { enabled: true, prefix: '#' } });
    expect(bad.announcer).toBeNull();
    expect(bad.warnings).toEqual([
      'mqtt: Home Assistant discovery off: mqtt.homeAssistant.prefix is not a topic prefix',
    ]);
  });

  it('publishes on connect, subscribes to the status topic, republishes on online at most once per interval', () => {
    const { announcer, sent, advance } = make({ homeAssistant: { enabled: true } });
    const subscribed: string[] = [];
    announcer?.connected((f) => subscribed.push(f));
    expect(subscribed).toEqual(['homeassistant/status']);
    expect(sent).toEqual(['homeassistant/device/box1_A/config']);
    expect(announcer?.message('homeassistant/status', online, false)).toBe(true);
    expect(sent.length).toBe(2);
    announcer?.message('homeassistant/status', online, false); // a flood: skipped
    advance(REPUBLISH_INTERVAL_MS);
    announcer?.message('homeassistant/status', Buffer.from(' online\n'), false);
    expect(sent.length).toBe(3);
    advance(REPUBLISH_INTERVAL_MS);
    announcer?.message('homeassistant/status', Buffer.from('offline'), false);
    announcer?.message('homeassistant/status', Buffer.from(`online${' '.repeat(64)}`), false);
    announcer?.message('homeassistant/status', online, true); // retained: an old word
    expect(sent.length).toBe(3);
    expect(announcer?.message('tandem/box1/A/request/status', online, false)).toBe(false);
  });
});
