// The config file as the processes beside the daemon read it (the front
// panel, the web panel): checked as the daemon checks it (bounded, then the
// schema), with which controller they sit on. A file that fails is refused
// with the reason: a panel never guesses its wiring or its ports.
import type { ControllerId } from '../cluster/codes.ts';
import { readFileBounded } from '../core/bounded-read.ts';
import { CONFIG_TEXT_BYTES } from '../core/limits.ts';
import type { Result } from '../core/result.ts';
import { resolveControllerId } from './controller-id.ts';
import { readIdentityFile } from './identity-file.ts';
import { paths } from '../../hal/paths.ts';
import { parseConfigJson } from './json-text.ts';
import type { TandemConfig } from './schema.ts';
import { readConfig } from './migrations.ts';
import { defaultConfig, formatIssues } from './validate.ts';
import { existsSync } from 'node:fs';

export function loadConfigFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Result<{ cfg: TandemConfig; controller: ControllerId }, string> {
  let cfg: TandemConfig;
  if (!existsSync(path)) {
    cfg = defaultConfig(); // as the daemon does: no file means the embedded defaults
  } else {
    const bytes = readFileBounded(path, CONFIG_TEXT_BYTES, path);
    if (!bytes.ok) return bytes;
    const json = parseConfigJson(bytes.value.toString('utf8'));
    if (!json.ok) return { ok: false, error: `${path}: ${json.error.path}: ${json.error.message}` };
    // An older schema is read as the daemon reads it (migrations.ts); a newer one is refused.
    const checked = readConfig(json.value);
    if (!checked.ok) return { ok: false, error: `${path}:\n${formatIssues(checked.errors)}` };
    cfg = checked.config;
  }
  // As the daemon: the identity file the flash tool wrote names the
  // controller on a box (without it the web and front panels of the image
  // never started: "controller id unknown").
  const identity = readIdentityFile(env['TANDEM_IDENTITY_FILE'] ?? paths.identityFile);
  if (!identity.ok) return { ok: false, error: identity.error };
  const id = resolveControllerId(cfg, env, identity.value);
  if (!id.ok) return { ok: false, error: id.error };
  return { ok: true, value: { cfg, controller: id.value } };
}
