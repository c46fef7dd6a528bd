// Pure decision: should a config offered by the peer replace ours?
// Versions only ever rise, so the newer version wins; an equal version with
// different content means both sides changed independently (e.g. while the
// link was down) and needs an operator, not a guess.

export interface ConfigStamp {
  version: number;
  hash: string;
}

export interface IncomingStamp extends ConfigStamp {
  /** Who sent it, e.g. 'B' or 'import'; for messages and the event log. */
  origin: string;
}

export type ReplicationDecision =
  | { action: 'accept'; reason: string }
  | { action: 'unchanged'; reason: string }
  | { action: 'reject'; reason: string }
  | { action: 'conflict'; reason: string };

export function decideReplication(local: ConfigStamp, incoming: IncomingStamp): ReplicationDecision {
  if (!Number.isSafeInteger(incoming.version) || incoming.version < 0) {
    return { action: 'reject', reason: `version from ${incoming.origin} is not a non-negative integer` };
  }
  if (incoming.version > local.version) {
    return {
      action: 'accept',
      reason: `version ${incoming.version} from ${incoming.origin} is newer than ${local.version}`,
    };
  }
  if (incoming.version < local.version) {
    return {
      action: 'reject',
      reason: `version ${incoming.version} from ${incoming.origin} is older than local version ${local.version}`,
    };
  }
  if (incoming.hash === local.hash) {
    return { action: 'unchanged', reason: `version ${local.version} already in force` };
  }
  return {
    action: 'conflict',
    reason: `version ${local.version} differs between this controller and ${incoming.origin}; choose one and re-apply it`,
  };
}
