import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  RequestVerifier,
  signRequest,
  type SignedFields,
} from '../../../firmware/telemetry/signature.ts';
import { intakeRequest, MAX_REQUEST_BYTES } from '../../../firmware/telemetry/request-intake.ts';

const TOKEN = 'noc-token-0123456789abcdef0123456789';
const NOW = 1_800_000_000_000;
const fields: SignedFields = {
  boxId: 'box1',
  controller: 'A',
  command: 'maintenance',
  args: { on: true },
  transaction: 'tx-1',
  ts: NOW,
};

function payload(f: SignedFields, token = TOKEN, extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      args: f.args,
      transaction: f.transaction,
      ts: f.ts,
      sig: signRequest(token, f),
      ...extra,
    }),
  );
}

function intake(p: Buffer, command = 'maintenance', verifier = new RequestVerifier({ token: TOKEN })) {
  return intakeRequest({
    commandLevel: command,
    payload: p,
    boxId: 'box1',
    controller: 'A',
    verifier,
    nowMs: NOW,
  });
}

describe('request signature', () => {
  it('canonical JSON sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
  });

  it('accepts a correctly signed request once, and refuses its replay', () => {
    const v = new RequestVerifier({ token: TOKEN });
    expect(v.verify(fields, signRequest(TOKEN, fields), NOW)).toEqual({ ok: true });
    expect(v.verify(fields, signRequest(TOKEN, fields), NOW + 10)).toEqual({
      ok: false,
      reason: 'unauthorised: replayed transaction',
    });
  });

  it('refuses a wrong token, a missing sig, another target, a changed arg and a stale timestamp', () => {
    const v = new RequestVerifier({ token: TOKEN });
    expect(v.verify(fields, signRequest('other-token-0123456789', fields), NOW)).toMatchObject({
      reason: 'unauthorised: bad signature',
    });
    expect(v.verify(fields, undefined, NOW)).toMatchObject({
      reason: expect.stringMatching(/sig is missing/) as unknown,
    });
    const sig = signRequest(TOKEN, fields);
    expect(v.verify({ ...fields, controller: 'B' }, sig, NOW)).toMatchObject({
      reason: 'unauthorised: bad signature',
    });
    expect(v.verify({ ...fields, args: { on: false } }, sig, NOW)).toMatchObject({
      reason: 'unauthorised: bad signature',
    });
    const old = { ...fields, ts: NOW - 60_000 };
    expect(v.verify(old, signRequest(TOKEN, old), NOW)).toMatchObject({
      reason: expect.stringMatching(/ts is 60000 ms from our clock/) as unknown,
    });
  });

  it('refuses everything when no command token is configured', () => {
    const v = new RequestVerifier({ token: undefined });
    expect(v.verify(fields, signRequest(TOKEN, fields), NOW)).toMatchObject({
      reason: expect.stringMatching(/commands are disabled/) as unknown,
    });
  });
});

describe('MQTT request intake', () => {
  it('turns a signed, valid request into a CommandRequest', () => {
    expect(intake(payload(fields))).toEqual({
      kind: 'run',
      respondOn: 'maintenance',
      request: { command: 'maintenance', args: { on: true }, transaction: 'tx-1' },
    });
  });

  it.each([
    ['bad JSON', Buffer.from('{"args":'), 'maintenance', /^request: not valid JSON/],
    ['not an object', Buffer.from('[1,2]'), 'maintenance', /^request: must be a JSON object/],
    ['oversize', Buffer.alloc(MAX_REQUEST_BYTES + 1, 0x20), 'maintenance', /over the .*-byte limit/],
    [
      'missing sig',
      Buffer.from(JSON.stringify({ args: { on: true }, transaction: 'tx-1', ts: NOW })),
      'maintenance',
      /^unauthorised: sig is missing/,
    ],
    ['wrong token', payload(fields, 'wrong-token-0123456789'), 'maintenance', /^unauthorised: bad signature/],
  ])('refuses %s', (_name, p, cmd, error) => {
    const r = intake(p, cmd);
    expect(r.kind).toBe('refuse');
    if (r.kind === 'refuse') expect(r.response.error).toMatch(error);
  });

  it('checks arguments only after the signature, and names the bad one', () => {
    const f = { ...fields, args: { on: 'yes' } };
    const r = intake(payload(f));
    expect(r).toMatchObject({
      kind: 'refuse',
      response: { error: 'args.on: must be true or false', transaction: 'tx-1' },
    });
    const u = { ...fields, command: 'reboot', args: {} };
    expect(intake(payload(u), 'reboot')).toMatchObject({
      kind: 'refuse',
      respondOn: 'reboot',
      response: { error: expect.stringMatching(/^command: unknown command "reboot"/) as unknown },
    });
    const extra = { ...fields, args: { on: true, now: 1 } };
    expect(intake(payload(extra))).toMatchObject({
      response: { error: 'args.now: unknown argument for maintenance' },
    });
  });

  it('bounds the document before parsing it, and the arguments before the signature walks them', () => {
    const deep = '{"args":' + '['.repeat(100_000) + ']'.repeat(100_000) + ',"transaction":"tx-9"}';
    expect(intake(Buffer.from(deep))).toMatchObject({
      kind: 'refuse',
      response: { error: 'request: nested deeper than the 8-level limit', transaction: '' },
    });
    const nested = '{"args":' + '['.repeat(6) + ']'.repeat(6) + ',"transaction":"tx-9"}';
    expect(intake(Buffer.from(nested))).toMatchObject({
      kind: 'refuse',
      response: { error: 'args: nested deeper than 4 levels', transaction: 'tx-9' },
    });
  });

  it('refuses a command above the channel role, after the signature, changing nothing', () => {
    const r = intakeRequest({
      commandLevel: 'maintenance',
      payload: payload(fields),
      boxId: 'box1',
      controller: 'A',
      verifier: new RequestVerifier({ token: TOKEN }),
      nowMs: NOW,
      role: 'viewer',
    });
    expect(r).toMatchObject({
      kind: 'refuse',
      response: { error: 'role: maintenance needs the operator role; this request has viewer' },
    });
  });

  it('refuses a prototype key in the arguments', () => {
    const f = { ...fields, args: JSON.parse('{"on":true,"__proto__":{"x":1}}') as unknown };
    expect(intake(payload(f))).toMatchObject({
      kind: 'refuse',
      response: { error: 'args.__proto__: unknown argument for maintenance' },
    });
  });

  it('answers a strange command level on response/invalid', () => {
    expect(intake(Buffer.from('{}'), 'RM -RF')).toMatchObject({ respondOn: 'invalid' });
  });
});
