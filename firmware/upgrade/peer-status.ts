// The peer's agent status as it arrives over the peer channel: untrusted
// until each field the runner reads is checked; anything else is null (the
// runner then waits, as for a peer that does not answer).
import { SLOT_NAMES, type BootStatus, type SlotName } from '../../hal/boot/boot-slots.ts';
import type { AgentStatus, FetchState, InstallState } from './agent.ts';
import { TrialSchema, validatorOf } from './documents.ts';

const checkTrial = validatorOf(TrialSchema, 'trial');
const VERSION = /^[\w.+-]{1,32}$/;

function obj(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}
const str = (v: unknown, max = 1000): string | null => (typeof v === 'string' && v.length <= max ? v : null);
const pct = (v: unknown): number | null =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 100 ? v : null;
const slot = (v: unknown): SlotName | null => SLOT_NAMES.find((s) => s === v) ?? null;

function fetchState(v: unknown): FetchState | null {
  const o = obj(v);
  const state = o?.['state'];
  if (o === null || (state !== 'idle' && state !== 'fetching' && state !== 'verified' && state !== 'failed'))
    return null;
  const version = str(o['version'], 32);
  return {
    state,
    bundle: str(o['bundle'], 1024),
    version: version !== null && VERSION.test(version) ? version : null,
    detail: str(o['detail']),
  };
}

function installState(v: unknown): InstallState | null {
  const o = obj(v);
  const state = o?.['state'];
  if (
    o === null ||
    (state !== 'idle' && state !== 'installing' && state !== 'installed' && state !== 'failed')
  )
    return null;
  return { state, percent: pct(o['percent']), detail: str(o['detail']) };
}

function bootStatus(v: unknown): BootStatus | null {
  const o = obj(v);
  const booted = slot(o?.['booted']);
  const primary = slot(o?.['primary']);
  const slots = Array.isArray(o?.['slots']) ? (o['slots'] as unknown[]) : null;
  if (booted === null || primary === null || slots === null || slots.length !== 2) return null;
  const list = slots.map((s) => {
    const x = obj(s);
    const name = slot(x?.['name']);
    return name === null ? null : { name, good: x?.['good'] === true, version: str(x?.['version'], 32) };
  });
  return list.every((s) => s !== null) ? { booted, primary, slots: list } : null;
}

export function peerAgentStatus(v: unknown): AgentStatus | null {
  const o = obj(v);
  const version = str(o?.['firmwareVersion'], 32);
  const check = obj(o?.['check']);
  const fetch = fetchState(o?.['fetch']);
  const install = installState(o?.['install']);
  if (
    o === null ||
    version === null ||
    !VERSION.test(version) ||
    check === null ||
    fetch === null ||
    install === null
  )
    return null;
  const trial = o['trial'] === null ? null : checkTrial(o['trial']);
  if (trial !== null && !trial.ok) return null;
  const failing = Array.isArray(check['failing'])
    ? check['failing'].filter((f): f is string => typeof f === 'string').slice(0, 16)
    : [];
  return {
    firmwareVersion: version,
    boot: bootStatus(o['boot']),
    trial: trial === null ? null : trial.value,
    check: { outcome: str(check['outcome'], 16) ?? 'unknown', failing },
    fetch,
    install,
  };
}
