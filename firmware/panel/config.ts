// The panel process reads the same config file as the daemon, checked the
// same way (bounded, then the schema); it needs the panel's wiring, the
// local broker, the box id and which controller it sits on. A file that
// fails is refused with the reason: the panel never guesses its wiring.
import type { ControllerId } from '../cluster/codes.ts';
import { readFileBounded } from '../core/bounded-read.ts';
import { CONFIG_TEXT_BYTES } from '../core/limits.ts';
import type { Result } from '../core/result.ts';
import { resolveControllerId } from '../config/controller-id.ts';
import { parseConfigJson } from '../config/json-text.ts';
import type { TandemConfig } from '../config/schema.ts';
import { defaultConfig, formatIssues, validateConfig } from '../config/validate.ts';
import { existsSync } from 'node:fs';

export function loadPanelConfig(
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
    const checked = validateConfig(json.value);
    if (!checked.ok) return { ok: false, error: `${path}:\n${formatIssues(checked.errors)}` };
    cfg = checked.config;
  }
  const id = resolveControllerId(cfg, env);
  if (!id.ok) return { ok: false, error: id.error };
  return { ok: true, value: { cfg, controller: id.value } };
}
