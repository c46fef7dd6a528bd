// The upgrade commands. For now one: `upgrade commit`, as Pacemaker's
// `cibadmin --upgrade`: once both controllers run the same firmware and the
// peer's heartbeat says it reads this firmware's config schema, the stored
// config moves to that schema (config/migrations.ts), as a new config
// version that replicates to the peer. Until then both keep writing the
// schema they have committed, which the older firmware reads.
import type { PeerUpgradeView } from '../config/migrations.ts';
import type { ControllerStatus } from '../status/snapshot.ts';
import { argObject } from './args.ts';
import { defineCommand, fail, ok } from './define.ts';
import { firmwareVersion } from './status.ts';

/**
 * What the peer's latest heartbeat says of its firmware and config schema,
 * as the status snapshot carries it (`peer.configSchema`, `peer.firmwareVersion`);
 * all null while the peer is dead or does not say.
 */
export function peerUpgradeView(status: ControllerStatus): PeerUpgradeView {
  const peer = status.peer as ControllerStatus['peer'] & {
    readonly configSchema?: number | null;
    readonly firmwareVersion?: string | null;
  };
  if (peer.state === 'dead') return { configSchema: null, firmwareVersion: null };
  return { configSchema: peer.configSchema ?? null, firmwareVersion: peer.firmwareVersion ?? null };
}

export const upgradeCommands = [
  defineCommand({
    name: 'upgrade-commit',
    summary:
      "move the stored config to this firmware's config schema, once both controllers run it (it replicates)",
    role: 'admin',
    args: argObject({}),
    cli: { words: ['upgrade', 'commit'] },
    run: async (ctx) => {
      const config = ctx.config;
      if (config?.commitSchema === undefined)
        return fail('upgrade-commit: no configuration store on this controller');
      const r = await config.commitSchema(
        peerUpgradeView(ctx.status.current()),
        firmwareVersion(),
        'upgrade commit',
      );
      if (!r.ok) return fail(`upgrade commit refused, nothing changed: ${r.errors.join('; ')}`);
      if (!r.committed) return ok({ committed: false, schema: r.schema, note: r.message });
      return ok({
        committed: true,
        from: r.from,
        to: r.to,
        steps: r.steps,
        configVersion: r.configVersion,
        note: `config schema ${r.to} stored as version ${r.configVersion}; it replicates to the peer`,
      });
    },
  }),
];
