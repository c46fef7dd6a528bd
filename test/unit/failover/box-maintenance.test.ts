// The box's maintenance mark: which of two marks wins, how a change beats
// every mark seen, and the file that keeps it across restarts (read bounded,
// an unreadable one taken as "on", a failed write reported, not thrown).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BoxMaintenance,
  fileMarkStore,
  memoryMarkStore,
  supersedes,
} from '../../../firmware/failover/box-maintenance.ts';

describe('maintenance mark', () => {
  it('the higher epoch wins; equal epochs that disagree settle on on', () => {
    expect(supersedes({ on: false, epoch: 3 }, { on: true, epoch: 2 })).toBe(true);
    expect(supersedes({ on: true, epoch: 2 }, { on: false, epoch: 3 })).toBe(false);
    expect(supersedes({ on: true, epoch: 4 }, { on: false, epoch: 4 })).toBe(true);
    expect(supersedes({ on: false, epoch: 4 }, { on: true, epoch: 4 })).toBe(false);
    expect(supersedes({ on: true, epoch: 4 }, { on: true, epoch: 4 })).toBe(false);
  });

  it('a change beats every mark either side has seen, and is saved', () => {
    const store = memoryMarkStore();
    const m = new BoxMaintenance(store);
    expect(m.set(true, { on: false, epoch: 7 })).toBe(true);
    expect(m.mark).toEqual({ on: true, epoch: 8 });
    expect(store.saved).toEqual({ on: true, epoch: 8 });
    expect(m.set(true, { on: true, epoch: 8 })).toBe(false);
    expect(m.adopt({ on: false, epoch: 8 })).toBe(false);
    expect(m.adopt({ on: false, epoch: 9 })).toBe(true);
    expect(store.saved).toEqual({ on: false, epoch: 9 });
  });

  it('the file: missing is off, a written mark comes back, garbage or an oversized file is on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-mark-'));
    const problems: string[] = [];
    const path = join(dir, 'sub', 'maintenance.json');
    const store = fileMarkStore(path, (p) => problems.push(p));
    expect(store.load()).toEqual({ on: false, epoch: 0 });
    store.save({ on: true, epoch: 5 });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ on: true, epoch: 5 });
    expect(fileMarkStore(path, () => undefined).load()).toEqual({ on: true, epoch: 5 });
    for (const text of [
      '{"on":"yes","epoch":1}',
      '{"on":false,"epoch":4294967296}',
      'nope',
      'x'.repeat(10_000),
    ]) {
      writeFileSync(path, text);
      expect(store.load()).toEqual({ on: true, epoch: 0 });
    }
    expect(problems).toHaveLength(4);
    expect(problems[3]).toMatch(/4096-byte limit/);
  });

  it('a write that fails is reported and the mark still holds in memory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-mark-'));
    const path = join(dir, 'maintenance.json');
    mkdirSync(path); // a directory where the file should be: the rename fails, as root too
    const problems: string[] = [];
    const m = new BoxMaintenance(fileMarkStore(path, (p) => problems.push(p)));
    expect(problems).toHaveLength(1); // a directory is not a readable mark: taken as on
    expect(m.mark.on).toBe(true);
    expect(m.set(false, undefined)).toBe(true);
    expect(m.mark).toEqual({ on: false, epoch: 1 });
    expect(problems[1]).toMatch(/cannot keep the maintenance mark/);
  });
});
