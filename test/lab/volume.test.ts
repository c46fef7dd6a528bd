// The data volume mounts in one controller's mount namespace only, and the
// PostgreSQL cluster on it serves the LAN from that controller.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labFiles } from '../../tools/lab/files.ts';
import { ADDR, POSTGRES_BIN } from '../../tools/lab/topology.ts';
import { lab, labOk, labStatus } from './lab-helpers.ts';

const MNT = join(labFiles.runDir, 'data-mnt');
const PGDATA = join(MNT, 'pgdata');
const pgctl = (...args: string[]) => [
  'exec',
  'A',
  'runuser',
  '-u',
  'postgres',
  '--',
  join(POSTGRES_BIN, 'pg_ctl'),
  '-D',
  PGDATA,
  ...args,
];

describe('data volume and PostgreSQL', () => {
  it('is mounted in A only, and PostgreSQL in A answers the LAN client', async () => {
    const loop = (await labStatus()).loopDevice;
    expect(loop).toMatch(/^\/dev\/loop[0-9]+$/);
    mkdirSync(MNT, { recursive: true });
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(MNT);
    await labOk(['exec', 'A', 'mount', loop ?? '', MNT]);
    try {
      expect((await lab(['exec', 'A', 'findmnt', MNT])).code).toBe(0);
      expect((await lab(['exec', 'B', 'findmnt', MNT])).code).not.toBe(0);
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(MNT);

      await labOk(pgctl('-w', '-t', '60', '-l', '/run/postgresql/lab-test.log', 'start'), 90_000);
      try {
        // B has its own /run/postgresql: A's socket is not there.
        expect((await lab(['exec', 'B', 'ls', '/run/postgresql/.s.PGSQL.5432'])).code).not.toBe(0);
        const r = await lab([
          'exec',
          'client',
          'psql',
          '-h',
          ADDR.lanA,
          '-U',
          'postgres',
          '-tAc',
          'select 1',
        ]);
        expect(r.stderr).toBe('');
        expect(r.stdout.trim()).toBe('1');
      } finally {
        await labOk(pgctl('-w', '-m', 'fast', 'stop'), 60_000);
      }
    } finally {
      await labOk(['exec', 'A', 'umount', MNT]);
    }
    expect((await lab(['exec', 'A', 'findmnt', MNT])).code).not.toBe(0);
  });
});
