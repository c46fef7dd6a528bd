// The VM pair's shared LUN, made fresh at every `vm up`: the witness area at
// the config's witnessLba, then one MBR partition holding a copy of the lab's
// data volume (ext4 with an initialised PostgreSQL cluster), owned by the
// image's postgres ids. tgtd exports it as a second target beside the lab's,
// and each guest's QEMU logs in to it with its own initiator name.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { labFiles } from '../lab/files.ts';
import { run, tryRun } from '../lab/run.ts';
import { exportTarget } from '../lab/tgt.ts';
import { TGT_CONTROL_PORT, DATA_VOLUME_SIZE_BYTES } from '../lab/topology.ts';
import { POSTGRES_ID } from '../image/layout.ts';
import { VM_DATA_OFFSET_BYTES, VM_LUN_BYTES, VM_TARGET, vmFiles } from './layout.ts';

const TGT = ['-C', String(TGT_CONTROL_PORT), '--lld', 'iscsi'];

export async function makeLun(): Promise<void> {
  mkdirSync(vmFiles.dataDir, { recursive: true, mode: 0o700 });
  const lun = vmFiles.lunImage;
  const volume = lun + '.volume';
  rmSync(lun, { force: true });
  await run('truncate', ['-s', String(VM_LUN_BYTES), lun]);
  const start = VM_DATA_OFFSET_BYTES / 512;
  const size = DATA_VOLUME_SIZE_BYTES / 512;
  await run('sfdisk', ['--quiet', '--label', 'dos', lun], {
    input: `start=${start}, size=${size}, type=83\n`,
  });
  copyFileSync(labFiles.dataImage, volume);
  try {
    await ownPgdata(volume);
    await run('dd', [
      `if=${volume}`,
      `of=${lun}`,
      'bs=1M',
      `seek=${VM_DATA_OFFSET_BYTES / 1048576}`,
      'conv=notrunc,sparse',
      'status=none',
    ]);
  } finally {
    rmSync(volume, { force: true });
  }
}

/** The lab's cluster belongs to the host's postgres; in the guests it is the image's. */
async function ownPgdata(volume: string): Promise<void> {
  const mnt = join(vmFiles.runDir, 'volume-mnt');
  mkdirSync(mnt, { recursive: true });
  await run('mount', ['-o', 'loop', volume, mnt]);
  try {
    await run('chown', ['-R', `${POSTGRES_ID}:${POSTGRES_ID}`, join(mnt, 'pgdata')]);
  } finally {
    await run('umount', [mnt]);
  }
}

export async function targetUp(): Promise<void> {
  await targetDown();
  await exportTarget({ ...VM_TARGET, file: vmFiles.lunImage });
}

export async function targetDown(): Promise<void> {
  await tryRun('tgtadm', [
    ...TGT,
    '--op',
    'delete',
    '--force',
    '--mode',
    'target',
    '--tid',
    String(VM_TARGET.tid),
  ]);
}
