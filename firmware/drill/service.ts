// The failover drill on this controller (docs/drill.md): `drill` runs the
// preflight at once and refuses, naming each failed check, or starts the
// drill in the background and answers its progress; `drill status` follows
// it (tandemctl does, until the report). The steps run one at a time and
// the drill stops at the first that fails: a pair that failed one is not
// pushed further. The report goes to the event log (DRILL_REPORT, whole)
// and to the state directory, where the next drill compares itself with it.
import { randomBytes } from 'node:crypto';
import { errorMessage } from '../../hal/errors.ts';
import { otherController } from '../cluster/codes.ts';
import type { DrillOps, DrillRun, PeerDrillOp } from '../commands/context.ts';
import { fail, ok, type Outcome } from '../commands/define.ts';
import type { JsonValue } from '../events/types.ts';
import type { Result } from '../core/result.ts';
import { parseReport, type CheckedReport } from '../status/report-check.ts';
import type { DocumentStore } from '../store/document-store.ts';
import { slowerPhases } from './compare.ts';
import { answerOp } from './ops.ts';
import type { DrillParts } from './parts.ts';
import type { EventReader } from './phases.ts';
import { preflight } from './preflight.ts';
import type { DrillReport, DrillStep, PreflightCheck } from './report.ts';
import { DrillSteps } from './steps.ts';
import { reportStore } from './store.ts';

/** What `drill` and `drill status` answer while a drill runs and after. */
export interface DrillProgress {
  readonly id: string;
  readonly actor: string;
  readonly startedAt: number;
  readonly state: 'running' | 'passed' | 'failed' | 'refused';
  /** One line per step done; while running, the step under way last. */
  readonly lines: readonly string[];
  /** Once the drill ended (not when refused). */
  readonly report: DrillReport | null;
}

const PEER_STATUS_MS = 5000;

export class DrillService implements DrillOps {
  private readonly parts: DrillParts;
  private readonly store: DocumentStore<DrillReport>;
  private progress: DrillProgress | null = null;
  private running = false;

  constructor(parts: DrillParts) {
    this.parts = parts;
    this.store = reportStore(parts.stateDir);
  }

  async begin(run: DrillRun): Promise<Outcome> {
    if (this.running) {
      const since = new Date(this.progress?.startedAt ?? 0).toISOString();
      return fail(
        `a drill is under way (started ${since} by ${this.progress?.actor ?? '?'}): see drill status`,
      );
    }
    this.running = true;
    let started = false;
    try {
      const id = randomBytes(8).toString('hex');
      const startedAt = this.parts.clock.wallMs();
      const checks = preflight({
        here: run.here,
        peer: await this.peerReport(),
        peerDrill: await this.peerDrill(),
        reservations: this.parts.host.fencer.snapshot(),
        home: (group) => this.parts.home(group),
      });
      const failed = checks.filter((c) => !c.ok);
      if (failed.length > 0) {
        const why = failed.map((c) => `${c.check}: ${c.detail}`);
        this.progress = { id, actor: run.actor, startedAt, state: 'refused', lines: why, report: null };
        this.log('warning', 'DRILL_REFUSED', `drill refused: ${why.join('; ')}`, { id, preflight: checks });
        return fail(`drill refused, nothing moved: ${why.join('; ')}`);
      }
      this.progress = {
        id,
        actor: run.actor,
        startedAt,
        state: 'running',
        lines: ['preflight passed'],
        report: null,
      };
      this.log('notice', 'DRILL_STARTED', `drill ${id} started by ${run.actor}: preflight passed`, {
        id,
        preflight: checks,
      });
      started = true;
      void this.drive(id, startedAt, run, checks).finally(() => {
        this.running = false;
      });
      return ok(this.progress);
    } catch (err) {
      return fail(`drill: ${errorMessage(err)}`);
    } finally {
      if (!started) this.running = false;
    }
  }

  async status(): Promise<unknown> {
    const last = await this.store.read();
    return {
      drill: this.progress,
      last: last.kind === 'ok' ? last.value : null,
      ...(last.kind === 'invalid' ? { lastUnreadable: last.errors } : {}),
    };
  }

  peerOp(op: PeerDrillOp, log: EventReader | undefined): Promise<Outcome> {
    return answerOp(this.parts, op, log);
  }

  /** A peer of older firmware has no `drill-peer`: better refused now than failed halfway. */
  private async peerDrill(): Promise<string | null> {
    const o = await this.parts.peer.run('drill-peer', { op: 'mark' }, { timeoutMs: PEER_STATUS_MS });
    return o.ok ? null : o.error;
  }

  private async peerReport(): Promise<Result<CheckedReport, string>> {
    const o = await this.parts.peer.run('status', {}, { timeoutMs: PEER_STATUS_MS });
    if (!o.ok) return { ok: false, error: o.error };
    return parseReport(Buffer.from(JSON.stringify(o.data)));
  }

  private async drive(id: string, startedAt: number, run: DrillRun, checks: PreflightCheck[]): Promise<void> {
    const done: DrillStep[] = [];
    try {
      await this.steps(new DrillSteps(this.parts, run), done);
    } catch (err) {
      done.push({
        kind: 'path',
        subject: 'drill',
        ok: false,
        detail: `stopped: ${errorMessage(err)}`,
        phases: [],
      });
    }
    await this.finish(id, startedAt, run.actor, checks, done);
  }

  /** Every group switched over and failed back, then each database killed, then each path muted. */
  private async steps(steps: DrillSteps, done: DrillStep[]): Promise<void> {
    const groups = [...this.parts.host.groupStatus()].sort((a, b) => a.name.localeCompare(b.name));
    const add = (s: DrillStep): boolean => {
      done.push(s);
      this.line(`${s.ok ? 'ok' : 'FAILED'} ${s.kind} ${s.subject}: ${s.detail}`);
      this.log(s.ok ? 'info' : 'warning', 'DRILL_STEP', `drill: ${s.kind} ${s.subject}: ${s.detail}`, {
        ...s,
        phases: s.phases.map((p) => ({ ...p })),
      });
      return s.ok;
    };
    for (const g of groups) {
      const home = this.parts.home(g.name);
      const away = otherController(home);
      this.line(`switchover ${g.name} ${home} -> ${away} ...`);
      if (!add(await steps.move('switchover', g.name, home, away))) return;
      this.line(`failback ${g.name} ${away} -> ${home} ...`);
      if (!add(await steps.move('failback', g.name, away, home))) return;
    }
    for (const g of groups) {
      const home = this.parts.home(g.name);
      this.line(`resource failure in ${g.name} on ${home} ...`);
      if (!add(await steps.resourceFailure(g.name, home))) return;
    }
    for (const path of this.parts.paths) {
      this.line(`heartbeat path ${path} muted ...`);
      if (!add(await steps.pathCheck(path))) return;
    }
  }

  private async finish(
    id: string,
    startedAt: number,
    actor: string,
    checks: PreflightCheck[],
    steps: DrillStep[],
  ): Promise<void> {
    const before = await this.store.read().catch(() => ({ kind: 'missing' }) as const);
    const previous = before.kind === 'ok' ? before.value : null;
    const report: DrillReport = {
      id,
      by: this.parts.self,
      actor: actor.slice(0, 80),
      firmwareVersion: this.parts.firmwareVersion.slice(0, 64),
      startedAt,
      endedAt: this.parts.clock.wallMs(),
      result: steps.length > 0 && steps.every((s) => s.ok) ? 'passed' : 'failed',
      preflight: checks,
      steps,
      previous: previous === null ? null : { id: previous.id, startedAt: previous.startedAt },
      slower: previous === null ? [] : slowerPhases(steps, previous.steps),
    };
    const stored = await this.store.write(report).catch((err: unknown) => ({
      ok: false as const,
      error: [errorMessage(err)],
    }));
    if (!stored.ok)
      this.log('error', 'DRILL_REPORT_UNSTORED', `drill ${id}: report not kept: ${stored.error.join('; ')}`, {
        id,
      });
    const slower = report.slower.map((s) => `${s.phase} ${s.previousMs} -> ${s.ms} ms`);
    this.log(
      report.result === 'passed' && slower.length === 0 ? 'notice' : 'warning',
      'DRILL_REPORT',
      `drill ${id} ${report.result}: ${steps.filter((s) => s.ok).length} of ${steps.length} steps passed` +
        (previous === null
          ? '; the first drill: nothing to compare with'
          : slower.length === 0
            ? `; no phase more than 50 % slower than drill ${previous.id}`
            : `; more than 50 % slower than drill ${previous.id}: ${slower.join(', ')}`),
      JSON.parse(JSON.stringify(report)) as JsonValue,
    );
    const p = this.progress;
    if (p !== null && p.id === id) this.progress = { ...p, state: report.result, report };
  }

  /** The progress's lines: a step's result replaces its line " ..." of the step under way. */
  private line(text: string): void {
    const p = this.progress;
    if (p === null || p.state !== 'running') return;
    const lines = [...p.lines];
    if (lines.at(-1)?.endsWith(' ...') === true) lines.pop();
    lines.push(text);
    this.progress = { ...p, lines: lines.slice(-200) };
  }

  private log(
    severity: 'info' | 'notice' | 'warning' | 'error',
    code: string,
    message: string,
    data: unknown,
  ): void {
    this.parts.events.append({
      severity,
      source: 'drill',
      code,
      message,
      data: JSON.parse(JSON.stringify(data)) as JsonValue,
    });
  }
}
