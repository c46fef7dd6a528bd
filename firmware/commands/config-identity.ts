// config-set-identity: the one way to change the box id or the cluster key.
// Both must be equal on the two controllers for them to hear each other, so
// an import never changes them (ConfigManager refuses it); this command does,
// only when the operator confirms, after saying what will happen. The key is
// never echoed (replies may travel over MQTT): a fingerprint identifies it.
import { createHash, randomBytes } from 'node:crypto';
import { argObject, booleanArg, Optional, patternArg } from './args.ts';
import type { ConfigChange } from './context.ts';
import { defineCommand, fail, ok } from './define.ts';

const BOX_ID = '^[a-z0-9][a-z0-9-]{0,62}$';
const KEY = '^[0-9a-fA-F]{64}$';

export const SPLIT_WARNING =
  'the controllers refuse each other’s heartbeats while one runs the old identity and the other the new one: ' +
  'each then takes the other for dead, and fencing decides which keeps the disks. The change is stored and ' +
  'replicated to the peer now, and takes effect when a daemon restarts: restart both controllers together, ' +
  'in a maintenance window';

const fingerprint = (key: string) =>
  createHash('sha256').update(key.toLowerCase()).digest('hex').slice(0, 12);

export const identityCommand = defineCommand({
  name: 'config-set-identity',
  summary: 'change the box id or the cluster key (both controllers must share them; needs confirm)',
  role: 'admin',
  args: argObject({
    boxId: Optional(patternArg(BOX_ID, 63, 'a box id (a-z, 0-9, -; at most 63)', 'the new box id')),
    key: Optional(patternArg(KEY, 64, '64 hex digits', 'the new cluster key (32 bytes as 64 hex digits)')),
    generateKey: Optional(
      booleanArg('true: a new random cluster key, made here (it never appears in a reply)'),
    ),
    confirm: Optional(booleanArg('true: I know the pair splits until both controllers run it')),
  }),
  cli: {
    words: ['config', 'set-identity'],
    flags: [
      { arg: 'boxId', flag: '--box-id', metavar: 'ID' },
      { arg: 'key', flag: '--key', metavar: 'HEX' },
      { arg: 'generateKey', flag: '--generate-key' },
      { arg: 'confirm', flag: '--confirm' },
    ],
  },
  run: async (ctx, args) => {
    const config = ctx.config;
    if (config === undefined) return fail('config-set-identity: no configuration store on this controller');
    if (args.key !== undefined && args.generateKey === true)
      return fail('config-set-identity: give key or generateKey, not both');
    const key = args.generateKey === true ? randomBytes(32).toString('hex') : args.key;
    if (args.boxId === undefined && key === undefined)
      return fail('config-set-identity: nothing to change; give boxId, key or generateKey');
    if (args.confirm !== true)
      return fail(
        `config-set-identity: not done: ${SPLIT_WARNING}. Repeat with confirm (tandemctl: --confirm)`,
      );
    const r: ConfigChange = await config.setIdentity(
      { ...(args.boxId !== undefined ? { boxId: args.boxId } : {}), ...(key !== undefined ? { key } : {}) },
      'operator set-identity',
    );
    if (!r.ok)
      return fail(
        `config rejected, nothing changed: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      );
    return ok({
      configVersion: r.config.configVersion,
      unchanged: r.unchanged,
      ...(args.boxId !== undefined ? { boxId: args.boxId } : {}),
      ...(key !== undefined ? { keyFingerprint: fingerprint(key) } : {}),
      waitingForRestart: r.restart,
      warning: SPLIT_WARNING,
    });
  },
});
