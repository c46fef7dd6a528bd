// The command token's stated minimum: the config schema and the verifier
// (which also guards callers that bypass the schema) use the same number.
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../firmware/config/schema.ts';
import { LIMITS } from '../../../firmware/core/limits.ts';
import { RequestVerifier, signRequest } from '../../../firmware/telemetry/signature.ts';

describe('mqtt.commandToken minimum length', () => {
  const schema = ConfigSchema.properties.mqtt.properties.commandToken;

  it('is the one limit in core/limits.ts', () => {
    expect(schema.minLength).toBe(LIMITS.commandTokenMinChars);
    expect(Value.Check(schema, 'x'.repeat(LIMITS.commandTokenMinChars - 1))).toBe(false);
    expect(Value.Check(schema, 'x'.repeat(LIMITS.commandTokenMinChars))).toBe(true);
  });

  it('disables commands when a shorter token reaches the verifier anyway', () => {
    const token = 'short-token-0123';
    const f = { boxId: 'b', controller: 'A', command: 'status', args: {}, transaction: 't', ts: 1000 };
    expect(new RequestVerifier({ token }).verify(f, signRequest(token, f), 1000)).toEqual({
      ok: false,
      reason: `unauthorised: commands are disabled (mqtt.commandToken is shorter than ${LIMITS.commandTokenMinChars} characters)`,
    });
  });
});
