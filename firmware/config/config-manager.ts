// Owns the configuration: the one stored (accepted, exported, replicated)
// and the one in force in this process. Most settings are read once when the
// daemon builds the controller, so a change to them is stored but waits for
// a restart (RESTART_REQUIRED); the live ones (restart.ts) are handed to the
// listeners at once. The heartbeat advertises the version in force.
// Loading never falls back silently: an invalid file is refused, and the
// last good copy is used only when the caller asks for it.
import type { AlarmManager } from '../alarms/alarm-manager.ts';
import { LIMITS } from '../core/limits.ts';
import type { EventSink, JsonValue } from '../events/types.ts';
import { DocumentStore } from '../store/document-store.ts';
import { configHash } from './fingerprint.ts';
import { EXPORT_FORMAT, planImport, redacted, type ImportOptions } from './import-plan.ts';
import { parseConfigJson } from './json-text.ts';
import {
  commitRefusals,
  committedSchema,
  FIRMWARE_SCHEMAS,
  mixedWindowMessage,
  readConfig,
  stepsFrom,
  storedForm,
  upgradeDocument,
  type PeerUpgradeView,
  type SchemaTable,
} from './migrations.ts';
import { decideReplication, type ConfigStamp, type ReplicationDecision } from './replication/decision.ts';
import { mergeShared } from './replication/shared-fields.ts';
import { splitByRestart } from './restart.ts';
import type { TandemConfig } from './schema.ts';
import { changedSettings, setAt, valueAt } from './settings-diff.ts';
import { defaultConfig, formatIssues, validateConfig, type ConfigIssue } from './validate.ts';
import { MAX_CONFIG_VERSION } from './wire-bounds.ts';

export { EXPORT_FORMAT };
export { REDACTED } from './import-plan.ts';

/** Where the config in force came from; 'refused': the file is invalid and nothing was chosen. */
export type LoadSource = 'file' | 'last-good' | 'defaults' | 'refused';

export interface LoadOutcome {
  readonly source: LoadSource;
  /** Why the file was not used, each naming its field. */
  readonly problems: string[];
  /** When refused: the version of the last good copy, if there is one to offer. */
  readonly lastGoodVersion?: number;
}

export type ApplyResult =
  | {
      ok: true;
      config: TandemConfig;
      warnings: ConfigIssue[];
      /** Settings this change applied at once. */
      live: string[];
      /** Every stored setting that still waits for a restart. */
      restart: string[];
      /** The document equals the config stored: nothing written, version kept. */
      unchanged: boolean;
    }
  | { ok: false; errors: ConfigIssue[] };

/** The settings a pair must share to hear each other: changed only by setIdentity. */
export const IDENTITY_POINTERS = ['/box/id', '/cluster/key'] as const;

export interface ConfigManagerOptions {
  /** The config file (hal paths.configFile). */
  path: string;
  /** Copy of the last accepted config (under hal paths.stateDir). */
  lastGoodPath: string;
  events?: EventSink;
  alarms?: Pick<AlarmManager, 'raise' | 'clear'>;
  /** The config schemas this firmware reads (migrations.ts); a test hands in its own. */
  schemas?: SchemaTable;
}

/** What `upgrade commit` did (commitSchema). */
export type SchemaCommitResult =
  | { ok: true; committed: false; schema: number; message: string }
  | {
      ok: true;
      committed: true;
      from: number;
      to: number;
      /** One line per migration applied. */
      steps: string[];
      configVersion: number;
    }
  | { ok: false; errors: string[] };

/** A document as stored (its committed schema) read as this firmware reads it. */
const asValidation = (table: SchemaTable) => (v: unknown) => {
  const r = readConfig(v, table);
  return r.ok
    ? { ok: true as const, value: r.config }
    : { ok: false as const, error: r.errors.map((e) => `${e.path}: ${e.message}`) };
};

/** Duplicate keys in a file are refused as in an import. */
const strictParse = (text: string) => {
  const r = parseConfigJson(text);
  return r.ok ? r : { ok: false as const, error: `${r.error.path}: ${r.error.message}` };
};

export class ConfigManager {
  /** What is stored: accepted, exported, replicated. */
  private config: TandemConfig = defaultConfig();
  /** What this process runs: the stored config minus changes waiting for a restart. */
  private running: TandemConfig = this.config;
  private pending: string[] = [];
  /** The peer holds different content under our version (CONFIG_CONFLICT). */
  private conflict = false;
  private readonly liveListeners: ((config: TandemConfig) => void)[] = [];
  private readonly file: DocumentStore<TandemConfig>;
  private readonly lastGood: DocumentStore<TandemConfig>;
  private readonly o: ConfigManagerOptions;
  /** Changes are applied one at a time so versions never collide. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly table: SchemaTable;
  /** The peer's firmware as its heartbeat says, and ours (watchPeer); unset: not known. */
  private peerView: (() => PeerUpgradeView) | undefined;
  private ownFirmware = 'unknown';

  constructor(options: ConfigManagerOptions) {
    this.o = options;
    this.table = options.schemas ?? FIRMWARE_SCHEMAS;
    // Both are read with LIMITS.config.bytes as the bound (a path naming
    // /dev/zero or a huge file is refused at that many bytes, not read whole),
    // and a config that would not fit it is never stored. A document is
    // written as stored (its committed schema) and read in the current form.
    const validate = asValidation(this.table);
    const encode = (c: TandemConfig) => storedForm(c, this.table);
    this.file = new DocumentStore(options.path, validate, strictParse, LIMITS.config.bytes, encode);
    this.lastGood = new DocumentStore(
      options.lastGoodPath,
      validate,
      strictParse,
      LIMITS.config.bytes,
      encode,
    );
  }

  /**
   * Where the peer's heartbeat says which firmware it runs and which config
   * schema it reads, and this controller's firmware version: while the two
   * firmware versions differ (an upgrade's mixed window) operator changes are
   * refused. A peer whose firmware is not known (not heard, dead) refuses nothing.
   */
  watchPeer(view: () => PeerUpgradeView, ownFirmware: string): void {
    this.peerView = view;
    this.ownFirmware = ownFirmware;
  }

  /**
   * Reads the file. Missing: embedded defaults, said loudly (alarm + log).
   * Invalid: refused, unless `useLastGood` and a last good copy exists.
   */
  async load(options: { useLastGood?: boolean } = {}): Promise<LoadOutcome> {
    const main = await this.file.read();
    if (main.kind === 'ok') {
      this.start(main.value);
      this.o.alarms?.clear('CONFIG_FALLBACK');
      return { source: 'file', problems: [] };
    }
    if (main.kind === 'missing') {
      this.start(defaultConfig());
      this.fallback('embedded default', `no file at ${this.o.path}`);
      return { source: 'defaults', problems: [] };
    }
    const problems = main.errors;
    const backup = await this.lastGood.read();
    const lastGood = backup.kind === 'ok' ? backup.value : undefined;
    if (lastGood !== undefined && options.useLastGood === true) {
      this.start(lastGood);
      this.fallback(`last good (version ${lastGood.configVersion})`, problems.join('; '));
      return { source: 'last-good', problems };
    }
    this.log('critical', 'CONFIG_INVALID', `config file ${this.o.path} refused: ${problems.join('; ')}`, {
      problems,
      lastGoodVersion: lastGood?.configVersion ?? null,
    });
    return {
      source: 'refused',
      problems,
      ...(lastGood !== undefined ? { lastGoodVersion: lastGood.configVersion } : {}),
    };
  }

  /** The replicator found the peer holds other content under our version. */
  noteConflict(): void {
    this.conflict = true;
  }

  /** The config stored (what export shows and replication carries). */
  current(): TandemConfig {
    return structuredClone(this.config);
  }

  /** The config stored, as stored: at its committed schema (the file, exports and replication carry this). */
  storedDocument(): Record<string, unknown> & { configVersion: number } {
    return storedForm(this.config, this.table) as Record<string, unknown> & { configVersion: number };
  }

  /** The schema the pair has committed (the stored document's) and the newest this firmware reads. */
  schemas(): { committed: number; reads: number } {
    return { committed: committedSchema(this.config), reads: this.table.current };
  }

  /** The config this process runs with (live settings included). */
  inForce(): TandemConfig {
    return structuredClone(this.running);
  }

  /** The version the heartbeat advertises: the one fully in force, never one waiting. */
  inForceVersion(): number {
    return this.running.configVersion;
  }

  /** Settings stored but waiting for a restart. */
  pendingRestart(): string[] {
    return [...this.pending];
  }

  /** Called with the config in force whenever a live setting changes. */
  onLiveChange(listener: (config: TandemConfig) => void): void {
    this.liveListeners.push(listener);
  }

  /** Version and hash of the document as stored (so a peer on older firmware hashes the same). */
  stamp(): ConfigStamp {
    return { version: this.config.configVersion, hash: configHash(this.storedDocument()) };
  }

  /**
   * Validate and apply a whole new config; configVersion becomes current + 1.
   * `identity`: it may change box id and cluster key. `wholeInForce`: every
   * setting is in force at once, none waits for a restart (a first boot's
   * import: the controller is built from it next, in this process).
   * `candidate` is in the current form (importText reads older schemas into
   * it); it keeps the committed schema, except a first boot's, which starts
   * at the document's own. Refused while the peer runs another firmware.
   */
  apply(
    candidate: unknown,
    origin: string,
    options: { identity?: boolean; wholeInForce?: boolean } = {},
  ): Promise<ApplyResult> {
    return this.serialised(async () => {
      const peerFirmware = this.peerView?.().firmwareVersion ?? null;
      if (peerFirmware !== null && peerFirmware !== this.ownFirmware)
        return this.rejected(origin, [
          { path: '/', message: mixedWindowMessage(peerFirmware, this.ownFirmware) },
        ]);
      const r = validateConfig(
        options.wholeInForce === true ? candidate : withSchema(candidate, committedSchema(this.config)),
      );
      if (!r.ok) return this.rejected(origin, r.errors);
      if (options.identity !== true) {
        const moved = IDENTITY_POINTERS.filter((p) => changedSettings(this.config, r.config).includes(p));
        if (moved.length > 0)
          return this.rejected(
            origin,
            moved.map((path) => ({
              path,
              message:
                'would change the pair’s identity; use config set-identity (the controllers cannot hear each other until both run it)',
            })),
          );
      }
      // Unchanged: no new version, unless the pair disagrees on this version;
      // then re-applying it is how the operator picks a side (a newer version wins).
      if (!this.conflict && configHash(r.config) === configHash(this.config)) {
        this.log(
          'info',
          'CONFIG_UNCHANGED',
          `config from ${origin} equals version ${this.config.configVersion}`,
          {
            origin,
          },
        );
        return { ...this.answer(r.warnings, []), unchanged: true };
      }
      if (this.config.configVersion >= MAX_CONFIG_VERSION)
        return this.rejected(origin, [
          { path: '/configVersion', message: 'is at its maximum; no change can be versioned' },
        ]);
      return this.commit(
        { ...r.config, configVersion: this.config.configVersion + 1 },
        origin,
        r.warnings,
        options.wholeInForce === true,
      );
    });
  }

  /** Import an exported file or a bare config (see import-plan.ts). Nothing changes on error. */
  importText(text: string, origin = 'import', options: ImportOptions = {}): Promise<ApplyResult> {
    const plan = planImport(text, this.config, defaultConfig(), { ...options, schemas: this.table });
    if (!plan.ok) return Promise.resolve(this.rejected(origin, plan.error));
    return this.apply(plan.value, origin);
  }

  /** The one way to change box id or cluster key; the caller has had the operator confirm. */
  setIdentity(change: { boxId?: string; key?: string }, origin: string): Promise<ApplyResult> {
    const candidate = this.current() as unknown as Record<string, unknown>;
    if (change.boxId !== undefined) setAt(candidate, '/box/id', change.boxId);
    if (change.key !== undefined) setAt(candidate, '/cluster/key', change.key);
    return this.apply(candidate, origin, { identity: true });
  }

  /** JSON export with version and hash; secrets blanked unless asked for. */
  exportText(options: { includeSecrets?: boolean; nowMs?: number } = {}): string {
    const stored = this.storedDocument() as unknown as TandemConfig;
    const config = options.includeSecrets === true ? stored : redacted(stored);
    const { version, hash } = this.stamp();
    const envelope = {
      format: EXPORT_FORMAT,
      configVersion: version,
      hash,
      exportedAt: new Date(options.nowMs ?? Date.now()).toISOString(),
      secretsIncluded: options.includeSecrets === true,
      config,
    };
    return JSON.stringify(envelope, null, 2) + '\n';
  }

  /** A whole config pushed by the peer, as stored there (any schema this firmware reads), keeping its version (no bump). */
  applyReplicated(
    candidate: unknown,
    origin: string,
  ): Promise<ApplyResult & { decision?: ReplicationDecision }> {
    return this.serialised(async () => {
      const up = upgradeDocument(candidate, this.table);
      return up.ok ? this.replicated(up.value, origin) : this.rejected(origin, up.errors);
    });
  }

  /**
   * The box-wide part of the peer's config (replication/shared-fields.ts), as
   * stored there: read in the current form, with our own per-controller
   * fields put back, then taken as applyReplicated takes a whole config.
   */
  applyPeerOffer(shared: unknown, origin: string): Promise<ApplyResult & { decision?: ReplicationDecision }> {
    return this.serialised(async () => {
      const up = upgradeDocument(shared, this.table);
      if (!up.ok) return this.rejected(origin, up.errors);
      return this.replicated(mergeShared(up.value, this.config), origin);
    });
  }

  /**
   * `tandemctl upgrade commit`: the stored document moves to the newest schema
   * this firmware reads, as a new config version that replicates to the peer.
   * Refused, with every reason, unless the peer's heartbeat says it reads that
   * schema and runs this very firmware.
   */
  commitSchema(peer: PeerUpgradeView, ownFirmware: string, origin: string): Promise<SchemaCommitResult> {
    return this.serialised(async (): Promise<SchemaCommitResult> => {
      const from = committedSchema(this.config);
      const to = this.table.current;
      if (from >= to)
        return {
          ok: true,
          committed: false,
          schema: from,
          message: `nothing to commit: the config is at schema ${from}, the newest this firmware reads`,
        };
      const why = commitRefusals(peer, ownFirmware, to);
      if (this.config.configVersion >= MAX_CONFIG_VERSION)
        why.push('configVersion is at its maximum; no change can be versioned');
      const r = why.length === 0 ? validateConfig({ ...this.config, schema: to }) : undefined;
      if (r !== undefined && !r.ok) why.push(formatIssues(r.errors));
      if (r === undefined || !r.ok) {
        this.log(
          'warning',
          'CONFIG_SCHEMA_COMMIT_REFUSED',
          `upgrade commit from ${origin} refused: ${why.join('; ')}`,
          {
            origin,
            from,
            to,
            reasons: why,
          },
        );
        return { ok: false, errors: why };
      }
      const next = { ...r.config, configVersion: this.config.configVersion + 1 };
      const stored = await this.commit(next, origin, r.warnings);
      if (!stored.ok) return { ok: false, errors: stored.errors.map((e) => `${e.path}: ${e.message}`) };
      const steps = stepsFrom(from, this.table);
      this.log(
        'notice',
        'CONFIG_SCHEMA_COMMITTED',
        `config schema ${from} → ${to} committed as version ${next.configVersion} (from ${origin}); it replicates to the peer`,
        { origin, from, to, version: next.configVersion, steps },
      );
      return { ok: true, committed: true, from, to, steps, configVersion: next.configVersion };
    });
  }

  /** A replicated config in the current form, its committed schema its own. */
  private async replicated(
    candidate: unknown,
    origin: string,
  ): Promise<ApplyResult & { decision?: ReplicationDecision }> {
    const r = validateConfig(candidate);
    if (!r.ok) return this.rejected(origin, r.errors);
    const decision = decideReplication(this.stamp(), {
      version: r.config.configVersion,
      hash: configHash(storedForm(r.config, this.table)),
      origin,
    });
    switch (decision.action) {
      case 'accept':
        return { ...(await this.commit(r.config, origin, r.warnings)), decision };
      case 'unchanged':
        return { ...this.answer([], []), unchanged: true, decision };
      case 'reject':
      case 'conflict':
        this.log('warning', 'CONFIG_REPLICATION_' + decision.action.toUpperCase(), decision.reason, {
          origin,
        });
        return { ok: false, errors: [{ path: '/configVersion', message: decision.reason }], decision };
    }
  }

  private start(config: TandemConfig): void {
    this.config = config;
    this.running = config;
    this.pending = [];
    // A fresh process runs everything it stored: nothing waits any more.
    this.o.alarms?.clear('RESTART_REQUIRED');
  }

  private async commit(
    config: TandemConfig,
    origin: string,
    warnings: ConfigIssue[],
    wholeInForce = false,
  ): Promise<ApplyResult> {
    // Last-good first: if we crash between the two writes, boot still finds
    // a valid copy of something that was accepted. Both have the same size
    // limit, so one too big to store is refused before either changes.
    for (const store of [this.lastGood, this.file]) {
      const written = await store.write(storedForm(config, this.table));
      if (!written.ok)
        return this.rejected(
          origin,
          written.error.map((message) => ({ path: '/', message })),
        );
    }
    this.conflict = false;
    const changed = changedSettings(this.running, config).filter((p) => p !== '/configVersion');
    const split = splitByRestart(changed);
    const live = wholeInForce ? changed : split.live;
    const restart = wholeInForce ? [] : split.restart;
    const liveNow = changedSettings(this.config, config).filter((p) => live.includes(p));
    this.config = config;
    if (restart.length === 0) {
      this.running = config;
    } else {
      const next = structuredClone(this.running) as unknown as Record<string, unknown>;
      for (const p of live) setAt(next, p, valueAt(config, p));
      this.running = next as unknown as TandemConfig;
    }
    this.pending = restart;
    if (liveNow.length > 0) for (const l of this.liveListeners) l(this.inForce());
    if (restart.length > 0)
      this.o.alarms?.raise('RESTART_REQUIRED', {
        params: { version: config.configVersion, settings: summary(restart) },
      });
    else this.o.alarms?.clear('RESTART_REQUIRED');
    this.log('notice', 'CONFIG_APPLIED', `config version ${config.configVersion} stored (from ${origin})`, {
      origin,
      version: config.configVersion,
      appliedNow: liveNow,
      waitingForRestart: restart,
      warnings: warnings.map((w) => `${w.path}: ${w.message}`),
    });
    return { ...this.answer(warnings, liveNow), unchanged: false };
  }

  private answer(warnings: ConfigIssue[], live: string[]) {
    return { ok: true as const, config: this.current(), warnings, live, restart: this.pendingRestart() };
  }

  private fallback(source: string, reason: string): void {
    this.log('warning', 'CONFIG_FALLBACK', `running on the ${source} configuration: ${reason}`, {
      source,
      reason,
    });
    this.o.alarms?.raise('CONFIG_FALLBACK', { params: { source, reason: reason.slice(0, 200) } });
  }

  private rejected(origin: string, errors: ConfigIssue[]): { ok: false; errors: ConfigIssue[] } {
    this.log('warning', 'CONFIG_REJECTED', `config from ${origin} rejected: ${formatIssues(errors)}`, {
      origin,
      errors: errors.map((e) => ({ path: e.path, message: e.message })),
    });
    return { ok: false, errors };
  }

  private serialised<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private log(
    severity: 'info' | 'notice' | 'warning' | 'error' | 'critical',
    code: string,
    message: string,
    data: JsonValue,
  ): void {
    this.o.events?.append({ severity, source: 'config', code, message, data });
  }
}

/** `candidate` with its `schema` set to `schema` (left out for 1, its meaning when absent). */
function withSchema(candidate: unknown, schema: number): unknown {
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) return candidate;
  const out: Record<string, unknown> = { ...(candidate as Record<string, unknown>) };
  delete out['schema'];
  if (schema > 1) out['schema'] = schema;
  return out;
}

/** A short list for an alarm text. */
function summary(pointers: readonly string[]): string {
  const head = pointers.slice(0, 4).join(', ');
  return pointers.length > 4 ? `${head} and ${pointers.length - 4} more` : head;
}
