// Turns one MQTT request message into either a CommandRequest that may run, or
// the error response to send back. Order matters: size, JSON and the bounds
// of the arguments first (cheap, and the signature walks the arguments),
// then the signature (so an unauthorised sender learns nothing about argument
// rules), then the command registry's checks (command, role, arguments).
// Nothing here has side effects beyond the verifier's replay memory, which
// only a validly signed request touches.
import { admit, argsOutOfBounds, salvageTransaction } from '../commands/check.ts';
import type { Role } from '../commands/define.ts';
import { parseBoundedJson } from '../core/bounded-json.ts';
import type { CommandRequest, CommandResponse } from '../core/envelope.ts';
import { LIMITS } from '../core/limits.ts';
import type { RequestVerifier } from './signature.ts';

/**
 * What a validly signed request may do. The command token is the one MQTT
 * credential and has always allowed every command (config-import too); a
 * per-role token would lower this for its holders.
 */
export const MQTT_ROLE: Role = 'admin';

/** The payload size limit (core/limits.ts), checked before the payload is decoded. */
export const MAX_REQUEST_BYTES = LIMITS.mqttRequest.bytes;
const COMMAND_LEVEL = /^[a-z][a-z-]{0,31}$/;

export type Intake =
  | { kind: 'run'; request: CommandRequest; respondOn: string }
  | { kind: 'refuse'; response: CommandResponse; respondOn: string };

function refuse(respondOn: string, transaction: string, error: string): Intake {
  return { kind: 'refuse', respondOn, response: { status: 'error', data: null, error, transaction } };
}

export function intakeRequest(options: {
  commandLevel: string;
  payload: Buffer;
  boxId: string;
  controller: string;
  verifier: RequestVerifier;
  nowMs: number;
  /** Default MQTT_ROLE. */
  role?: Role;
}): Intake {
  const { commandLevel, payload } = options;
  // The command level is echoed in the response topic, so only a tame one is.
  const respondOn = COMMAND_LEVEL.test(commandLevel) ? commandLevel : 'invalid';
  // Size, then depth and width, then JSON.parse: nothing walks what is out of bounds.
  const parsed = parseBoundedJson(payload, LIMITS.mqttRequest, 'request');
  if (!parsed.ok) return refuse(respondOn, '', parsed.error);
  const body = parsed.value;
  const transaction = salvageTransaction(body);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return refuse(respondOn, transaction, 'request: must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  const bounds = argsOutOfBounds(b['args']);
  if (bounds !== null) return refuse(respondOn, transaction, bounds);
  const verdict = options.verifier.verify(
    {
      boxId: options.boxId,
      controller: options.controller,
      command: commandLevel,
      args: b['args'] ?? {},
      transaction: typeof b['transaction'] === 'string' ? b['transaction'] : '',
      ts: b['ts'] as number,
    },
    b['sig'],
    options.nowMs,
  );
  if (!verdict.ok) return refuse(respondOn, transaction, verdict.reason);
  const checked = admit(
    { args: b['args'], transaction: b['transaction'] },
    options.role ?? MQTT_ROLE,
    commandLevel,
  );
  if (!checked.ok) return refuse(respondOn, transaction, checked.error);
  return { kind: 'run', request: checked.value, respondOn };
}
