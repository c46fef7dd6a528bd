import { describe, expect, it } from 'vitest';
import {
  assertPublishable,
  commandOfRequestTopic,
  encodePayload,
  requestFilter,
  TOPIC_QOS,
  topicFor,
  type TopicScope,
} from '../../../firmware/telemetry/topics.ts';
import { backoffDelay } from '../../../firmware/telemetry/backoff.ts';
import { boxStatusOf, reportsForBox } from '../../../firmware/telemetry/box-status.ts';
import { TelemetryBox } from '../../lab/fixtures/telemetry-box.ts';

const scope: TopicScope = { prefix: 'tandem', boxId: 'box-7', controller: 'B' };

describe('topic map', () => {
  it('builds every topic under <prefix>/<box>/', () => {
    expect(topicFor(scope, 'status')).toBe('tandem/box-7/status');
    expect(topicFor(scope, 'availability')).toBe('tandem/box-7/B/availability');
    expect(topicFor(scope, 'state')).toBe('tandem/box-7/B/state');
    expect(topicFor(scope, 'event')).toBe('tandem/box-7/B/event');
    expect(topicFor(scope, 'alarm')).toBe('tandem/box-7/B/alarm');
    expect(topicFor(scope, 'metrics')).toBe('tandem/box-7/B/metrics');
    expect(topicFor(scope, 'response', 'status')).toBe('tandem/box-7/B/response/status');
    expect(requestFilter(scope)).toBe('tandem/box-7/B/request/+');
    expect(topicFor({ ...scope, prefix: 'noc/site1' }, 'state')).toBe('noc/site1/box-7/B/state');
  });

  it('retains state, report, status and availability only; availability is QoS 1', () => {
    const retained = Object.entries(TOPIC_QOS)
      .filter(([, o]) => o.retain)
      .map(([k]) => k)
      .sort();
    expect(retained).toEqual(['availability', 'report', 'state', 'status']);
    expect(TOPIC_QOS.availability.qos).toBe(1);
  });

  it('never builds a topic with a wildcard, empty level or control character', () => {
    expect(() => topicFor({ ...scope, boxId: 'a+b' }, 'state')).toThrow(/not a valid topic level/);
    expect(() => topicFor({ ...scope, boxId: '#' }, 'state')).toThrow();
    expect(() => topicFor(scope, 'response', 'a/b')).toThrow();
    expect(() => topicFor(scope, 'response', '')).toThrow();
    expect(() => assertPublishable('tandem//x')).toThrow(/empty level/);
    expect(() => assertPublishable('tandem/x/#')).toThrow(/wildcard/);
    expect(() => assertPublishable('tandem/\u0000')).toThrow();
  });

  it('extracts the command level of a request topic and nothing else', () => {
    expect(commandOfRequestTopic(scope, 'tandem/box-7/B/request/status')).toBe('status');
    expect(commandOfRequestTopic(scope, 'tandem/box-7/A/request/status')).toBeNull();
    expect(commandOfRequestTopic(scope, 'tandem/box-7/B/request/a/b')).toBeNull();
    expect(commandOfRequestTopic(scope, 'tandem/box-7/B/request/')).toBeNull();
  });

  it('encodes availability as a bare word and everything else as JSON', () => {
    expect(encodePayload('availability', 'offline')).toBe('offline');
    expect(JSON.parse(encodePayload('metrics', { ts: 1, metrics: [{ name: 'x', value: 2 }] }))).toEqual({
      ts: 1,
      metrics: [{ name: 'x', value: 2 }],
    });
  });
});

describe('box status', () => {
  it('is reported by the active controller, or A when none is', () => {
    const a = new TelemetryBox({ boxId: 'b', controller: 'A' });
    const b = new TelemetryBox({ boxId: 'b', controller: 'B' });
    b.setState('standby');
    const bAsStandby = { ...b.current(), peer: { ...b.current().peer, peerState: 'active' as const } };
    expect(reportsForBox(a.current())).toBe(true);
    expect(reportsForBox(bAsStandby)).toBe(false);
    expect(reportsForBox({ ...bAsStandby, peer: { ...bAsStandby.peer, state: 'dead' } })).toBe(true);
    expect(boxStatusOf(a.current())).toMatchObject({
      boxId: 'b',
      reportedBy: 'A',
      active: 'A',
      controllers: { A: 'active', B: 'standby' },
    });
  });
});

describe('reconnect backoff', () => {
  it('doubles up to the cap, with jitter in the upper half', () => {
    const o = { baseMs: 1000, maxMs: 60_000 };
    expect(backoffDelay(1, o, 0)).toBe(500);
    expect(backoffDelay(1, o, 0.998)).toBe(999);
    expect(backoffDelay(4, o, 0.5)).toBe(6000);
    expect(backoffDelay(50, o, 0.5)).toBe(45_000);
    expect(backoffDelay(50, o, 0)).toBe(30_000);
  });
});
