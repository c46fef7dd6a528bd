// Which controller slot this is. The config file is replicated to both
// controllers, so the slot comes from the identity file the flash tool
// wrote (identity-file.ts), or from the environment (set per board); a file
// value is the fallback for single-board labs.
import type { ControllerId } from '../cluster/codes.ts';
import { err, ok, type Result } from '../core/result.ts';
import type { ControllerIdentity } from './identity-file.ts';
import type { TandemConfig } from './schema.ts';

export function resolveControllerId(
  config: TandemConfig,
  env: NodeJS.ProcessEnv = process.env,
  identity: ControllerIdentity | null = null,
): Result<ControllerId, string> {
  const fromEnv = env['TANDEM_CONTROLLER_ID'];
  const ids: readonly string[] = config.box.controllerIds;
  if (identity !== null) {
    if (fromEnv !== undefined && fromEnv !== '' && fromEnv !== identity.controller)
      return err(
        `TANDEM_CONTROLLER_ID=${JSON.stringify(fromEnv.slice(0, 20))} contradicts the identity file (controller ${identity.controller})`,
      );
    if (!ids.includes(identity.controller))
      return err(`the identity file's controller ${identity.controller} is not in /box/controllerIds`);
    return ok(identity.controller);
  }
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
