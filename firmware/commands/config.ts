// The configuration commands: show (never with secrets), export (secrets
// only for an admin who asks), validate (a dry run), import (admin: it
// changes the box and replicates to the peer) and set-identity
// (config-identity.ts). Nothing changes on a refusal.
import { argObject, booleanArg, MAX_CONFIG_TEXT, Optional, textArg } from './args.ts';
import { identityCommand } from './config-identity.ts';
import type { CommandContext, ConfigChange, ConfigOps } from './context.ts';
import { defineCommand, fail, ok, type Outcome } from './define.ts';

const dryRun = () => import('./config-dry-run.ts');

function withConfig(
  ctx: CommandContext,
  command: string,
  then: (config: ConfigOps) => Outcome | Promise<Outcome>,
): Outcome | Promise<Outcome> {
  if (ctx.config === undefined) return fail(`${command}: no configuration store on this controller`);
  return then(ctx.config);
}

const documentArg = (description: string) => textArg(MAX_CONFIG_TEXT, description);

/** The reply to an accepted change: what took effect now and what waits for a restart. */
export function changeReply(r: Extract<ConfigChange, { ok: true }>): Record<string, unknown> {
  return {
    configVersion: r.config.configVersion,
    unchanged: r.unchanged,
    appliedNow: r.live,
    waitingForRestart: r.restart,
    ...(r.restart.length > 0
      ? {
          note: 'stored; the settings waiting for a restart take effect when the daemon restarts (RESTART_REQUIRED is raised until then)',
        }
      : {}),
    warnings: r.warnings.map((w) => `${w.path}: ${w.message}`),
  };
}

export const configCommands = [
  defineCommand({
    name: 'config-show',
    summary: 'the configuration in force (secrets redacted)',
    role: 'viewer',
    args: argObject({}),
    cli: { words: ['config', 'show'] },
    // Show never carries secrets: it goes to consoles and NOC dashboards.
    run: (ctx) => withConfig(ctx, 'config-show', (config) => ok(JSON.parse(config.exportText()) as unknown)),
  }),
  defineCommand({
    name: 'config-export',
    summary: 'the configuration with its version and hash, to keep or import elsewhere',
    role: 'viewer',
    stronger: { role: 'admin', when: 'includeSecrets', needed: (args) => args.includeSecrets === true },
    args: argObject({
      includeSecrets: Optional(
        booleanArg('true: keys and passwords in clear (admin only); default redacted'),
      ),
    }),
    cli: { words: ['config', 'export'], file: { mode: 'write', optional: true } },
    run: (ctx, args) =>
      withConfig(ctx, 'config-export', (config) => {
        // The one place redaction is decided by channel: an MQTT response is read by every
        // subscriber the broker lets in, so secrets leave only through the root-only socket.
        if (args.includeSecrets === true && ctx.secretsChannel !== true)
          return fail(
            'config-export: includeSecrets only through the root-only control socket (tandemctl); exports over this channel are always redacted',
          );
        return ok(config.exportText({ includeSecrets: args.includeSecrets === true }));
      }),
  }),
  defineCommand({
    name: 'config-import',
    summary: 'apply an exported or bare configuration',
    role: 'admin',
    args: argObject({
      text: documentArg('the document (an export, or a bare configuration)'),
      merge: Optional(
        booleanArg(
          'true: lay a partial document over the config in force; default: a document that leaves out a setting in force is refused',
        ),
      ),
    }),
    cli: {
      words: ['config', 'import'],
      file: { mode: 'read', optional: false },
      flags: [{ arg: 'merge', flag: '--merge' }],
    },
    run: (ctx, args) =>
      withConfig(ctx, 'config-import', async (config) => {
        const r = await config.importText(args.text, 'operator import', { merge: args.merge === true });
        if (!r.ok)
          return fail(`config rejected, nothing changed: ${(await dryRun()).formatIssues(r.errors)}`);
        return ok(changeReply(r));
      }),
  }),
  defineCommand({
    name: 'config-validate',
    summary: 'check a configuration without applying it, and name the settings it would change',
    role: 'viewer',
    args: argObject({
      text: documentArg('the document to check'),
      merge: Optional(booleanArg('true: check it as config-import --merge would take it')),
    }),
    cli: {
      words: ['config', 'validate'],
      file: { mode: 'read', optional: false },
      flags: [{ arg: 'merge', flag: '--merge' }],
    },
    run: (ctx, args) =>
      withConfig(ctx, 'config-validate', async (config) => {
        // The diff is against the stored config with its secrets: a "<redacted>"
        // secret is the one in force, as the import takes it. Only paths leave.
        if (config.current === undefined)
          return fail('config-validate: the configuration in force cannot be read here');
        const r = (await dryRun()).validateText(args.text, config.current(), { merge: args.merge === true });
        if (!r.ok) return fail(`invalid config: ${r.error}`);
        return ok({
          valid: true,
          warnings: r.warnings,
          changes: r.changes,
          ...(r.more > 0 ? { more: r.more } : {}),
          unchanged: r.unchanged,
        });
      }),
  }),
  identityCommand,
];
