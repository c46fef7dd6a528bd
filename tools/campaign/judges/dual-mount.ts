// Dual mount: the data volume in both controllers' mount tables in the same
// sampling round (issue 18 item 2: both namespaces read every 50 ms). A run
// of such rounds is one episode, one violation.
import type { MountSample } from '../observations.ts';
import type { Violation } from './violation.ts';

export function judgeDualMount(samples: readonly MountSample[]): Violation[] {
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  const out: Violation[] = [];
  let episodeStart: number | null = null;
  let rounds = 0;
  const close = (): void => {
    if (episodeStart === null) return;
    out.push({
      kind: 'dual_mount',
      t: episodeStart,
      detail: `data volume mounted on A and B at once from ${episodeStart}, ${rounds} sample(s)`,
    });
    episodeStart = null;
    rounds = 0;
  };
  for (const s of sorted) {
    if (s.mounted.A && s.mounted.B) {
      episodeStart ??= s.t;
      rounds++;
    } else close();
  }
  close();
  return out;
}
