// Each controller's latest failover state from its firmware log, read
// incrementally: a campaign runs for hours and its logs grow, so each poll
// reads only what was appended since the last one. Only settle() uses it
// (whether the pair is back to active and standby); no judge does.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { labFiles } from '../../lab/files.ts';
import type { Controller } from '../../lab/topology.ts';

export interface StateSeen {
  readonly to: string;
  readonly ts: number;
}

/** A log line longer than this is not a STATE_CHANGED line; its text is skipped unparsed. */
const LINE_MAX = 64 * 1024;

export class StateTail {
  private offset = 0;
  private partial = '';
  private last: StateSeen | null = null;
  private readonly file: string;

  constructor(c: Controller) {
    this.file = labFiles.firmwareLog(c);
  }

  latest(): StateSeen | null {
    let size: number;
    try {
      size = statSync(this.file).size;
    } catch {
      return this.last;
    }
    // A fresh log (the pair restarted from nothing): start over.
    if (size < this.offset) Object.assign(this, { offset: 0, partial: '', last: null });
    if (size === this.offset) return this.last;
    const buf = Buffer.alloc(size - this.offset);
    const fd = openSync(this.file, 'r');
    try {
      readSync(fd, buf, 0, buf.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const lines = (this.partial + buf.toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    if (this.partial.length > LINE_MAX) this.partial = '';
    for (const l of lines) {
      if (l.length > LINE_MAX || !l.includes('"STATE_CHANGED"')) continue;
      try {
        const v = JSON.parse(l) as { code?: unknown; ts?: unknown; data?: { to?: unknown } };
        if (v.code === 'STATE_CHANGED' && typeof v.ts === 'number' && typeof v.data?.to === 'string')
          this.last = { to: v.data.to, ts: v.ts };
      } catch {
        // a line cut short by a kill
      }
    }
    return this.last;
  }
}
