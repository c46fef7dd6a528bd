// Which controller slot this is. The config file is replicated to both
// controllers, so the slot normally comes from the environment (set per
// board at manufacture); a file value is the fallback for single-board labs.
import type { ControllerId } from '../cluster/codes.ts';
import { err, ok, type Result } from '../core/result.ts';
import type { TandemConfig } from './schema.ts';

export function resolveControllerId(
  config: TandemConfig,
  env: NodeJS.ProcessEnv = process.env,
): Result<ControllerId, string> {
  const fromEnv = env['TANDEM_CONTROLLER_ID'];
  const ids: readonly string[] = config.box.controllerIds;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv === 'A' || fromEnv === 'B') {
      if (!ids.includes(fromEnv)) return err(`TANDEM_CONTROLLER_ID=${fromEnv} is not in /box/controllerIds`);
      return ok(fromEnv);
    }
    return err(`TANDEM_CONTROLLER_ID must be "A" or "B", got ${JSON.stringify(fromEnv.slice(0, 20))}`);
  }
  if (config.controller.id !== undefined) return ok(config.controller.id);
  return err('controller id unknown: set TANDEM_CONTROLLER_ID or /controller/id');
}
