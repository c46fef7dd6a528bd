// Drives tools/pr/agent.ts inside a lab controller's namespace from a test or
// the bench: request/response by id, and a log of the agent's events.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const AGENT = fileURLToPath(new URL('./agent.ts', import.meta.url));

export interface AgentReply {
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: { readonly code: string; readonly kind?: string; readonly message: string };
  /** Wall time the agent spent on the request. */
  readonly ms: number;
}

export type AgentEvent = Record<string, unknown> & { readonly event: string };

export class AgentClient {
  readonly events: AgentEvent[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private nextId = 1;
  private readonly pending = new Map<number, (r: AgentReply) => void>();
  private readonly waiters: (() => void)[] = [];

  constructor(netns: string) {
    this.child = spawn('ip', ['netns', 'exec', netns, process.execPath, AGENT], { stdio: 'pipe' });
    this.child.stderr.on('data', (b: Buffer) => this.stderr.push(b.toString()));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as Record<string, unknown>;
      if (typeof msg['event'] === 'string') {
        this.events.push(msg as AgentEvent);
        for (const w of this.waiters.splice(0)) w();
        return;
      }
      const done = this.pending.get(msg['id'] as number);
      this.pending.delete(msg['id'] as number);
      done?.(msg as unknown as AgentReply);
    });
    this.child.on('exit', () => {
      for (const [, done] of this.pending)
        done({ ok: false, error: { code: 'exited', message: this.stderr.join('') }, ms: 0 });
      this.pending.clear();
    });
  }

  call(op: string, args: Record<string, unknown> = {}): Promise<AgentReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.stdin.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  /** call() that throws unless ok, returning the value. */
  async ok<T = unknown>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const r = await this.call(op, args);
    if (!r.ok) throw new Error(`agent ${op} failed: ${JSON.stringify(r.error)}\n${this.stderr.join('')}`);
    return r.value as T;
  }

  /** Resolve with the first event (seen or future) matching, or reject after timeoutMs. */
  async waitForEvent(pred: (e: AgentEvent) => boolean, timeoutMs: number): Promise<AgentEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find(pred);
      if (hit !== undefined) return hit;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching event within ${timeoutMs} ms; saw ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.call('close').catch(() => undefined);
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
