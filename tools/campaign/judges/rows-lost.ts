// Rows lost: every row the client saw acknowledged must be in the final table
// (issue 18 item 2). Judged once, at the end of the campaign; each missing row
// is one violation, stamped with its acknowledgement so that the report can
// put it in the step that acknowledged it.
import type { FinalTable, InsertAttempt } from '../observations.ts';
import type { Violation } from './violation.ts';

export function judgeRowsLost(inserts: readonly InsertAttempt[], final: FinalTable): Violation[] {
  const present = new Set(final.ids);
  return inserts
    .filter((i) => i.ok && !present.has(i.id))
    .sort((a, b) => a.t - b.t)
    .map((i) => ({
      kind: 'rows_lost',
      t: i.t,
      detail: `row ${i.id} acknowledged at ${i.t} is not in the final table`,
    }));
}
