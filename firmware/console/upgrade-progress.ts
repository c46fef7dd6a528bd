// The rolling upgrade on tandemctl: `upgrade status` as a progress bar with
// the current step, and `--follow` after `upgrade BUNDLE` or `upgrade
// status`, which asks every 2 s and prints a line whenever the step, the
// percentage or the detail changes, until the plan ends (done: exit 0;
// failed or aborted: exit 1) or Ctrl-C.
import type { CommandResponse } from '../core/envelope.ts';
import { clean, ended, planOf, progressLines } from './format.ts';

export interface UpgradeFollowIo {
  readonly status: () => Promise<CommandResponse>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly signal: AbortSignal;
}

/** Follows until the plan ends: 0 done, 1 stopped or refused, 'interrupted' on Ctrl-C. */
export async function followUpgrade(io: UpgradeFollowIo): Promise<number | 'interrupted'> {
  let last = '';
  for (;;) {
    if (io.signal.aborted) return 'interrupted';
    let r: CommandResponse | null;
    try {
      r = await io.status();
    } catch {
      // The daemon restarting (a reboot of this controller): keep asking.
      r = null;
    }
    if (r !== null && r.status === 'error') {
      io.err(`tandemctl: upgrade status: ${clean(r.error)}`);
      return 1;
    }
    const plan = r === null ? null : planOf(r.data);
    if (plan !== null) {
      const text = progressLines(plan);
      if (text !== last) io.out(text);
      last = text;
      const end = ended(plan);
      if (end !== null) return end === 'done' ? 0 : 1;
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      io.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }
}
