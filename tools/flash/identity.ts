// What makes a flashed disk one controller of one box: identity.json, and
// optionally the operator's config, checked by the firmware's own validator
// before anything is written. The box id follows the config schema's rule.
import { CONTROLLER_IDS, type ControllerId } from '../../firmware/cluster/codes.ts';
import { readFileBounded } from '../../firmware/core/bounded-read.ts';
import { CONFIG_TEXT_BYTES } from '../../firmware/core/limits.ts';
import { parseConfigJson } from '../../firmware/config/json-text.ts';
import { ConfigSchema } from '../../firmware/config/schema.ts';
import { validateConfig } from '../../firmware/config/validate.ts';
import type { DataFile } from './data-files.ts';
import { FlashError } from './errors.ts';

export const IDENTITY_PATH = 'tandem/etc/identity.json';
export const CONFIG_PATH = 'tandem/etc/tandem.json';

/** The schema's own box.id pattern, so the two can never disagree. */
export const BOX_ID_PATTERN: string = (() => {
  const pattern = ConfigSchema.properties.box.properties.id.pattern;
  if (pattern === undefined)
    throw new Error('firmware/config/schema.ts: box.id has no pattern to check --box by');
  return pattern;
})();
const BOX_ID = new RegExp(BOX_ID_PATTERN);

function boxProblem(value: string): string | undefined {
  if (BOX_ID.test(value)) return undefined;
  return `--box ${JSON.stringify(value.slice(0, 80))}: not a box id (the config's box.id rule: ${BOX_ID_PATTERN})`;
}

/** The config file's bytes, refused with every problem the firmware's validator names. */
function checkedConfig(path: string, controller: ControllerId, box: string): Buffer {
  const bytes = readFileBounded(path, CONFIG_TEXT_BYTES, `--config ${path}`);
  if (!bytes.ok) throw new FlashError(bytes.error);
  const json = parseConfigJson(bytes.value.toString('utf8'));
  if (!json.ok) throw new FlashError(`--config ${path}: ${json.error.path}: ${json.error.message}`);
  const checked = validateConfig(json.value);
  if (!checked.ok) {
    const lines = checked.errors.map((e) => `  ${e.path}: ${e.message}`);
    throw new FlashError(`--config ${path} is not a valid Tandem config:\n${lines.join('\n')}`);
  }
  const problems: string[] = [];
  if (checked.config.box.id !== box) {
    problems.push(`box.id is ${JSON.stringify(checked.config.box.id)}, but --box is ${JSON.stringify(box)}`);
  }
  // The same file goes to both controllers; a fixed controller.id would be wrong on one of them.
  const own = checked.config.controller.id;
  if (own !== undefined && own !== controller) {
    problems.push(`controller.id is ${JSON.stringify(own)}, but --controller is ${controller}`);
  }
  if (problems.length > 0) throw new FlashError(`--config ${path}: ${problems.join('; ')}`);
  return bytes.value;
}

/** The files to put on the data partition, all checked before the target is touched. */
export function controllerFiles(controller: string, box: string, configPath?: string): DataFile[] {
  const id = CONTROLLER_IDS.find((c) => c === controller);
  const problems = [
    id === undefined
      ? `--controller ${JSON.stringify(controller.slice(0, 20))}: must be ${CONTROLLER_IDS.join(' or ')}`
      : undefined,
    boxProblem(box),
  ].filter((p) => p !== undefined);
  if (id === undefined || problems.length > 0) throw new FlashError(problems.join('; '));
  const files: DataFile[] = [
    { path: IDENTITY_PATH, content: `${JSON.stringify({ controller: id, box })}\n`, mode: 0o644 },
  ];
  if (configPath !== undefined) {
    // 0600: the config carries the cluster key and broker passwords.
    files.push({ path: CONFIG_PATH, content: checkedConfig(configPath, id, box), mode: 0o600 });
  }
  return files;
}
