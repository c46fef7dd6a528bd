// Owns the configuration in force: loads it at boot, applies changes
// (operator, import, peer replication) with a rising configVersion, keeps a
// last-good copy, and exports. A rejected change leaves everything as it was.
import type { EventSink, JsonValue } from '../events/types.ts';
import { DocumentStore, type ReadResult } from '../store/document-store.ts';
import { configHash } from './fingerprint.ts';
import { decideReplication, type ConfigStamp, type ReplicationDecision } from './replication/decision.ts';
import { SECRET_PATHS, type TandemConfig } from './schema.ts';
import {
  defaultConfig,
  formatIssues,
  validateConfig,
  type ConfigIssue,
  type ConfigResult,
} from './validate.ts';

export type LoadSource = 'file' | 'last-good' | 'defaults';

export const EXPORT_FORMAT = 'tandem-config';

export interface ConfigManagerOptions {
  /** The config file (hal paths.configFile). */
  path: string;
  /** Copy of the last accepted config (under hal paths.stateDir). */
  lastGoodPath: string;
  events?: EventSink;
}

const asValidation = (v: unknown) => {
  const r = validateConfig(v);
  return r.ok
    ? { ok: true as const, value: r.config }
    : { ok: false as const, error: [formatIssues(r.errors)] };
};

export class ConfigManager {
  private config: TandemConfig = defaultConfig();
  private readonly file: DocumentStore<TandemConfig>;
  private readonly lastGood: DocumentStore<TandemConfig>;
  private readonly events: EventSink | undefined;
  /** Changes are applied one at a time so versions never collide. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: ConfigManagerOptions) {
    this.file = new DocumentStore(options.path, asValidation);
    this.lastGood = new DocumentStore(options.lastGoodPath, asValidation);
    this.events = options.events;
  }

  /** Never throws for bad files: falls back to last-good, then defaults. */
  async load(): Promise<{ source: LoadSource; problems: string[] }> {
    const main = await this.file.read();
    if (main.kind === 'ok') {
      this.config = main.value;
      return { source: 'file', problems: [] };
    }
    if (main.kind === 'missing') {
      this.config = defaultConfig();
      return { source: 'defaults', problems: [] };
    }
    const problems = main.errors;
    this.log('error', 'CONFIG_REJECTED', `config file rejected at boot: ${problems.join('; ')}`, {
      problems,
    });
    const backup: ReadResult<TandemConfig> = await this.lastGood.read();
    if (backup.kind === 'ok') {
      this.config = backup.value;
      return { source: 'last-good', problems };
    }
    this.config = defaultConfig();
    return { source: 'defaults', problems };
  }

  current(): TandemConfig {
    return structuredClone(this.config);
  }

  stamp(): ConfigStamp {
    return { version: this.config.configVersion, hash: configHash(this.config) };
  }

  /** Validate and apply a whole new config; configVersion becomes current + 1. */
  apply(candidate: unknown, origin: string): Promise<ConfigResult> {
    return this.serialised(async () => {
      const r = validateConfig(candidate);
      if (!r.ok) return this.rejected(origin, r.errors);
      return this.commit({ ...r.config, configVersion: this.config.configVersion + 1 }, origin, r.warnings);
    });
  }

  /** Import an exported file (or a bare config). Nothing changes on error. */
  importText(text: string, origin = 'import'): Promise<ConfigResult> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return Promise.resolve(
        this.rejected(origin, [{ path: '/', message: `not valid JSON: ${(err as Error).message}` }]),
      );
    }
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      (parsed as { format?: unknown }).format === EXPORT_FORMAT
    ) {
      const config = (parsed as { config?: unknown }).config;
      if (config === undefined)
        return Promise.resolve(this.rejected(origin, [{ path: '/config', message: 'is required' }]));
      // An export made without secrets: keep the secrets now in force
      // rather than installing the placeholder as a password.
      return this.apply(restoreRedacted(config, this.config), origin);
    }
    return this.apply(parsed, origin);
  }

  /** JSON export with version and hash; secrets blanked unless asked for. */
  exportText(options: { includeSecrets?: boolean; nowMs?: number } = {}): string {
    const config = this.current();
    if (!options.includeSecrets) redact(config);
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

  /** A config pushed by the peer, keeping its version (no bump). */
  applyReplicated(
    candidate: unknown,
    origin: string,
  ): Promise<ConfigResult & { decision?: ReplicationDecision }> {
    return this.serialised(async () => {
      const r = validateConfig(candidate);
      if (!r.ok) return this.rejected(origin, r.errors);
      const decision = decideReplication(this.stamp(), {
        version: r.config.configVersion,
        hash: configHash(r.config),
        origin,
      });
      switch (decision.action) {
        case 'accept':
          return { ...(await this.commit(r.config, origin, r.warnings)), decision };
        case 'unchanged':
          return { ok: true, config: this.current(), warnings: [], decision };
        case 'reject':
        case 'conflict':
          this.log('warning', 'CONFIG_REPLICATION_' + decision.action.toUpperCase(), decision.reason, {
            origin,
          });
          return { ok: false, errors: [{ path: '/configVersion', message: decision.reason }], decision };
      }
    });
  }

  private async commit(config: TandemConfig, origin: string, warnings: ConfigIssue[]): Promise<ConfigResult> {
    // Last-good first: if we crash between the two writes, boot still finds
    // a valid copy of something that was accepted.
    await this.lastGood.write(config);
    await this.file.write(config);
    this.config = config;
    this.log('notice', 'CONFIG_APPLIED', `config version ${config.configVersion} applied (from ${origin})`, {
      origin,
      version: config.configVersion,
      warnings: warnings.map((w) => `${w.path}: ${w.message}`),
    });
    return { ok: true, config: this.current(), warnings };
  }

  private rejected(origin: string, errors: ConfigIssue[]): ConfigResult {
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
    severity: 'notice' | 'warning' | 'error',
    code: string,
    message: string,
    data: JsonValue,
  ): void {
    this.events?.append({ severity, source: 'config', code, message, data });
  }
}

export const REDACTED = '<redacted>';

/** The object holding a pointer's last segment, and that segment. */
function locate(
  root: unknown,
  pointer: string,
): { holder: Record<string, unknown>; key: string } | undefined {
  const parts = pointer.split('/').slice(1);
  const key = parts.pop();
  let node: unknown = root;
  for (const part of parts) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  if (node === null || typeof node !== 'object' || key === undefined) return undefined;
  return { holder: node as Record<string, unknown>, key };
}

function redact(config: TandemConfig): void {
  for (const pointer of SECRET_PATHS) {
    const at = locate(config, pointer);
    if (at && at.holder[at.key] !== undefined) at.holder[at.key] = REDACTED;
  }
}

function restoreRedacted(candidate: unknown, current: TandemConfig): unknown {
  const copy: unknown = structuredClone(candidate);
  for (const pointer of SECRET_PATHS) {
    const at = locate(copy, pointer);
    if (!at || at.holder[at.key] !== REDACTED) continue;
    const now = locate(current, pointer);
    const value = now?.holder[now.key];
    if (value === undefined) delete at.holder[at.key];
    else at.holder[at.key] = value;
  }
  return copy;
}
