// Runs one external command for an agent or hook: an argument array (never a
// shell), a hard timeout, and kill escalation. The child leads its own
// process group, so a timeout reaches whatever it forked too (a hook's
// subshell, runuser's child): SIGTERM first so it can clean up, SIGKILL once
// the grace runs out. A wedged stop script must never hold failover hostage.
import { spawn } from 'node:child_process';
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';

export interface CommandSpec {
  readonly file: string;
  readonly args: readonly string[];
  readonly timeoutMs: number;
  /** Between SIGTERM and SIGKILL; default 2000 ms. */
  readonly graceMs?: number;
  /** The complete environment (nothing is inherited when given). */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Aborting kills the command exactly as a timeout does. */
  readonly signal?: AbortSignal;
}

interface Output {
  readonly stdout: string;
  readonly stderr: string;
}

export type CommandResult =
  | (Output & { readonly kind: 'exited'; readonly code: number })
  /** Killed by a signal we did not send. */
  | (Output & { readonly kind: 'signalled'; readonly signal: string })
  /** We killed it: it ran past timeoutMs, or the caller aborted. escalated = SIGTERM was not enough. */
  | (Output & { readonly kind: 'timeout' | 'aborted'; readonly escalated: boolean })
  /** It never ran: not installed, not executable. */
  | { readonly kind: 'spawn-error'; readonly errno: string; readonly message: string };

export type CommandRunner = (spec: CommandSpec) => Promise<CommandResult>;

const DEFAULT_GRACE_MS = 2000;
/** Output kept per stream; agents only need the tail of an error message. */
const MAX_OUTPUT = 64 * 1024;
/** After the child exits, how long a grandchild may keep its pipes open. */
const DRAIN_MS = 500;

export function createCommandRunner(clock: Clock): CommandRunner {
  return (spec) => runCommand(clock, spec);
}

function runCommand(clock: Clock, spec: CommandSpec): Promise<CommandResult> {
  return new Promise((resolve) => {
    if (spec.signal?.aborted) {
      resolve({ kind: 'aborted', escalated: false, stdout: '', stderr: '' });
      return;
    }
    const child = spawn(spec.file, [...spec.args], {
      detached: true, // own process group, so kill(-pid) reaches its children
      stdio: ['ignore', 'pipe', 'pipe'],
      env: spec.env ? { ...spec.env } : process.env,
      cwd: spec.cwd,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      if (stdout.length < MAX_OUTPUT) stdout += s.slice(0, MAX_OUTPUT - stdout.length);
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < MAX_OUTPUT) stderr += s.slice(0, MAX_OUTPUT - stderr.length);
    });

    const timers: TimerHandle[] = [];
    let killedFor: 'timeout' | 'aborted' | null = null;
    let escalated = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let settled = false;

    const killGroup = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // ESRCH: the whole group is gone already.
      }
    };
    const terminate = (why: 'timeout' | 'aborted'): void => {
      if (killedFor || settled) return;
      killedFor = why;
      killGroup('SIGTERM');
      timers.push(
        clock.after(spec.graceMs ?? DEFAULT_GRACE_MS, () => {
          escalated = true;
          killGroup('SIGKILL');
        }),
      );
    };
    const onAbort = (): void => terminate('aborted');

    const settle = (result: CommandResult): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) t.cancel();
      spec.signal?.removeEventListener('abort', onAbort);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve(result);
    };
    const finish = (): void => {
      if (killedFor) {
        settle({ kind: killedFor, escalated, stdout, stderr });
      } else if (exit?.code !== null && exit?.code !== undefined) {
        settle({ kind: 'exited', code: exit.code, stdout, stderr });
      } else {
        settle({ kind: 'signalled', signal: exit?.signal ?? 'unknown', stdout, stderr });
      }
    };

    timers.push(clock.after(spec.timeoutMs, () => terminate('timeout')));
    spec.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (err: NodeJS.ErrnoException) => {
      // Spawn failures (ENOENT, EACCES) come here with no exit; a kill error
      // after exit is harmless and ignored.
      if (exit === null) settle({ kind: 'spawn-error', errno: err.code ?? 'EUNKNOWN', message: err.message });
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Leftovers of a killed command get no second grace: the action is over.
      if (killedFor) killGroup('SIGKILL');
      // A grandchild that inherited our pipes must not keep us waiting.
      timers.push(clock.after(DRAIN_MS, finish));
    });
    child.on('close', finish);
  });
}

/** The last non-empty line of a command's stderr (or stdout), for a reason string. */
export function lastLine(text: string, max = 300): string {
  const lines = text
    .split('\n')
    .map((l) => l.replace(/[^\x20-\x7e\t]/g, '?').trim())
    .filter((l) => l !== '');
  return (lines.at(-1) ?? '').slice(0, max);
}

/** How a finished command is told in one phrase: "exited 3: no such file". */
export function describeCommand(r: CommandResult): string {
  switch (r.kind) {
    case 'exited': {
      const why = lastLine(r.stderr) || lastLine(r.stdout);
      return why ? `exited ${r.code}: ${why}` : `exited ${r.code}`;
    }
    case 'signalled':
      return `killed by ${r.signal}`;
    case 'timeout':
      return `timed out${r.escalated ? ' (ignored SIGTERM, killed with SIGKILL)' : ' (stopped by SIGTERM)'}`;
    case 'aborted':
      return `aborted${r.escalated ? ' (killed with SIGKILL)' : ''}`;
    case 'spawn-error':
      return `could not run: ${r.message}`;
  }
}
