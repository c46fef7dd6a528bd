// Which controller slot this is. The config file is replicated to both
// controllers, so the slot normally comes from the environment (set per
// board at manufacture); a file value is the fallback for single-board labs.
import type { ControllerId } from '../cluster/codes.ts';
import type { TandemConfig } from './schema.ts';

export type ControllerIdResult = { ok: true; id: ControllerId } | { ok: false; error: string };

export function resolveControllerId(
  config: TandemConfig,
  env: NodeJS.ProcessEnv = process.env,
): ControllerIdResult {
  const fromEnv = env['TANDEM_CONTROLLER_ID'];
  const ids: readonly string[] = config.box.controllerIds;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv === 'A' || fromEnv === 'B') {
      if (!ids.includes(fromEnv))
        return { ok: false, error: `TANDEM_CONTROLLER_ID=${fromEnv} is not in /box/controllerIds` };
      return { ok: true, id: fromEnv };
    }
    return {
      ok: false,
      error: `TANDEM_CONTROLLER_ID must be "A" or "B", got ${JSON.stringify(fromEnv.slice(0, 20))}`,
    };
  }
  if (config.controller.id !== undefined) return { ok: true, id: config.controller.id };
  return { ok: false, error: 'controller id unknown: set TANDEM_CONTROLLER_ID or /controller/id' };
}
