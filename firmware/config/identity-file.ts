// This controller's identity: which slot it is (A or B) and which box it
// belongs to, written once by the flash tool to the data partition
// (`{"controller":"A","box":"BOX-ID"}`, hal paths.identityFile). It is what
// a first boot knows before any config exists, and an imported config must
// carry the same box id. The file is input like any other: bounded before
// it is parsed, checked strictly (no other keys), each refusal naming what
// is wrong.
import { existsSync } from 'node:fs';
import { CONTROLLER_IDS, type ControllerId } from '../cluster/codes.ts';
import { parseBoundedJson } from '../core/bounded-json.ts';
import { readFileBounded } from '../core/bounded-read.ts';
import { LIMITS } from '../core/limits.ts';
import { err, ok, type Result } from '../core/result.ts';
import { stripControl } from '../core/text.ts';
import { BOX_ID } from './patterns.ts';

export interface ControllerIdentity {
  readonly controller: ControllerId;
  readonly box: string;
}

/** The box id rule of the config schema (box.id), so the two can never disagree. */
const BOX_ID_RULE = new RegExp(BOX_ID);

const shown = (v: unknown): string => stripControl(JSON.stringify(v) ?? String(v)).slice(0, 70);

/** The identity in `text`, or what is wrong with it; `what` names the file in errors. */
export function parseIdentity(text: string | Uint8Array, what: string): Result<ControllerIdentity, string> {
  const json = parseBoundedJson(text, LIMITS.identity, what);
  if (!json.ok) return json;
  const v = json.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return err(`${what}: must be a JSON object like {"controller":"A","box":"my-box"}`);
  const extra = Object.keys(v).filter((k) => k !== 'controller' && k !== 'box');
  if (extra.length > 0) return err(`${what}: unknown key ${shown(extra[0])} (only controller and box)`);
  const { controller, box } = v as Record<string, unknown>;
  if (controller === undefined) return err(`${what}: controller is missing (A or B)`);
  if (!CONTROLLER_IDS.some((id) => id === controller))
    return err(`${what}: controller must be "A" or "B", got ${shown(controller)}`);
  if (box === undefined) return err(`${what}: box is missing (the box id)`);
  if (typeof box !== 'string' || !BOX_ID_RULE.test(box))
    return err(
      `${what}: box must be a box id as the config's box.id (a-z, 0-9 and -, starting with a letter or digit, at most 63), got ${shown(box)}`,
    );
  return ok({ controller: controller as ControllerId, box });
}

/** The identity file at `path`: null when there is none, else its identity or what is wrong. */
export function readIdentityFile(path: string): Result<ControllerIdentity | null, string> {
  if (!existsSync(path)) return ok(null);
  const bytes = readFileBounded(path, LIMITS.identity.bytes, `identity file ${path}`);
  if (!bytes.ok) return bytes;
  return parseIdentity(bytes.value, `identity file ${path}`);
}
