// Times print in local time: tests that compare printed times fix the zone
// to UTC for their file, so the expectations hold on any machine.
import { afterAll, beforeAll } from 'vitest';

export function inUtc(): void {
  let zone: string | undefined;
  beforeAll(() => {
    zone = process.env['TZ'];
    process.env['TZ'] = 'UTC';
  });
  afterAll(() => {
    if (zone === undefined) delete process.env['TZ'];
    else process.env['TZ'] = zone;
  });
}
