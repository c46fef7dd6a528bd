// Run by volume.ts inside a throwaway private mount namespace (unshare
// --mount): mounts the fresh data volume, initialises the PostgreSQL cluster
// on it, and exits. The mount dies with the namespace, so no namespace (not
// even root's) ever sees the volume mounted at rest.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labFiles } from './files.ts';
import { run } from './run.ts';
import { POSTGRES_BIN, POSTGRES_PORT } from './topology.ts';

const loop = process.argv[2];
if (loop === undefined || !/^\/dev\/loop[0-9]+$/.test(loop)) {
  console.error(`volume-init: expected a /dev/loopN argument, got ${JSON.stringify(loop)}`);
  process.exit(2);
}
const mnt = labFiles.initdbMnt;
const pgdata = join(mnt, 'pgdata');
mkdirSync(mnt, { recursive: true });
await run('mount', [loop, mnt]);
try {
  mkdirSync(pgdata, { mode: 0o700 });
  await run('chown', ['postgres:postgres', pgdata]);
  await run(
    'runuser',
    ['-u', 'postgres', '--', join(POSTGRES_BIN, 'initdb'), '-D', pgdata, '--auth=trust', '-U', 'postgres'],
    {
      timeoutMs: 120_000,
    },
  );
  appendFileSync(
    join(pgdata, 'postgresql.conf'),
    `\n# tandem lab\nlisten_addresses = '*'\nport = ${POSTGRES_PORT}\nunix_socket_directories = '/run/postgresql'\n` +
      // A takeover replays the WAL since the last checkpoint: a checkpoint
      // every 30 s (PostgreSQL's shortest) bounds it (docs/takeover.md, Checkpoints).
      `checkpoint_timeout = '30s'\n` +
      // After a crash PostgreSQL first fsyncs every file of the data
      // directory (160-180 ms here); on a file system this controller has just
      // mounted nothing of it is in the page cache, so one syncfs() does the
      // same (docs/resources.md).
      `recovery_init_sync_method = 'syncfs'\n`,
  );
  writeFileSync(
    join(pgdata, 'pg_hba.conf'),
    '# tandem lab: trust local sockets and the lab networks only\n' +
      'local all all trust\n' +
      'host all all 127.0.0.1/32 trust\n' +
      'host all all 198.18.0.0/15 trust\n',
  );
  await run('chown', ['postgres:postgres', join(pgdata, 'pg_hba.conf')]);
} finally {
  await run('umount', [mnt]);
}
