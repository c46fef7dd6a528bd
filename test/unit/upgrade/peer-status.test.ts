import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../../firmware/upgrade/agent.ts';
import { peerAgentStatus } from '../../../firmware/upgrade/peer-status.ts';

const good: AgentStatus = {
  firmwareVersion: '0.1.0',
  boot: {
    booted: 'A',
    primary: 'B',
    slots: [
      { name: 'A', good: true, version: '0.1.0' },
      { name: 'B', good: true, version: '0.2.0' },
    ],
  },
  trial: { slot: 'B', version: '0.2.0', from: 'A', fromVersion: '0.1.0', at: 1234, outcome: 'pending' },
  check: { outcome: 'normal', failing: [] },
  fetch: {
    state: 'verified',
    bundle: '/data/b.raucb',
    version: '0.2.0',
    detail: 'signature verified: 0.2.0',
  },
  install: { state: 'installing', percent: 42, detail: 'Copying image to rootfs.1' },
};

/** As it crosses the peer channel. */
const wire = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('peerAgentStatus: the peer agent status off the wire', () => {
  it('a good status round-trips', () => {
    expect(peerAgentStatus(wire(good))).toEqual(good);
    const idle: AgentStatus = {
      ...good,
      boot: null,
      trial: null,
      fetch: { state: 'idle', bundle: null, version: null, detail: null },
      install: { state: 'idle', percent: null, detail: null },
    };
    expect(peerAgentStatus(wire(idle))).toEqual(idle);
  });

  it('garbage gives null', () => {
    for (const v of [null, undefined, 42, 'status', [], [good], {}, { firmwareVersion: '0.1.0' }])
      expect(peerAgentStatus(v)).toBeNull();
  });

  it('a missing or wrong required field gives null', () => {
    const broken: unknown[] = [
      { ...good, firmwareVersion: undefined },
      { ...good, firmwareVersion: 'x'.repeat(33) },
      { ...good, firmwareVersion: '0.1.0; rm -rf /' },
      { ...good, check: null },
      { ...good, check: 'good' },
      { ...good, fetch: { ...good.fetch, state: 'done' } },
      { ...good, fetch: null },
      { ...good, install: { ...good.install, state: 'rebooting' } },
      { ...good, install: undefined },
      { ...good, trial: { ...good.trial, slot: 'C' } },
      { ...good, trial: { ...good.trial, outcome: 'maybe' } },
      { ...good, trial: { ...good.trial, extra: 1 } },
      { ...good, trial: 'pending' },
    ];
    for (const v of broken) expect(peerAgentStatus(wire(v)), JSON.stringify(v)).toBeNull();
  });

  it('an absent trial is refused (the agent always sends null)', () => {
    const { trial: _trial, ...noTrial } = good;
    expect(peerAgentStatus(wire(noTrial))).toBeNull();
  });

  it('doubtful optional fields are dropped, not trusted', () => {
    const s = peerAgentStatus(
      wire({
        ...good,
        boot: { booted: 'A', primary: 'Z', slots: [] },
        check: { outcome: 'x'.repeat(17), failing: ['disk', 7, null, 'peer'] },
        fetch: { ...good.fetch, version: '../../etc', bundle: 'x'.repeat(2000) },
        install: { ...good.install, percent: 101 },
      }),
    );
    expect(s).not.toBeNull();
    expect(s!.boot).toBeNull();
    expect(s!.check).toEqual({ outcome: 'unknown', failing: ['disk', 'peer'] });
    expect(s!.fetch.version).toBeNull();
    expect(s!.fetch.bundle).toBeNull();
    expect(s!.install.percent).toBeNull();
  });
});
