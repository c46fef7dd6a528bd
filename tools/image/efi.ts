// The boot partition's contents: GRUB as the removable-media EFI binary
// (EFI/BOOT/BOOTX64.EFI, found by any UEFI firmware without boot entries),
// the slot-selecting grub.cfg (images/grub/grub.cfg) and RAUC's grubenv,
// with slot A good and B empty until the first update writes it.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../lab/run.ts';
import { REPO } from './layout.ts';

/** GRUB modules the script needs: GPT, the ESP and the ext4 slots, the env block and the tests. */
const MODULES = [
  'part_gpt',
  'fat',
  'ext2',
  'normal',
  'linux',
  'configfile',
  'loadenv',
  'test',
  'echo',
  'regexp',
  'gzio',
  'serial',
  'terminal',
  'efi_gop',
  'all_video',
];

export async function makeEfiTree(inputDir: string): Promise<void> {
  const boot = join(inputDir, 'EFI', 'BOOT');
  mkdirSync(boot, { recursive: true });
  await run('grub-mkimage', [
    '-O',
    'x86_64-efi',
    '-p',
    '/EFI/BOOT',
    '-o',
    join(boot, 'BOOTX64.EFI'),
    ...MODULES,
  ]);
  copyFileSync(join(REPO, 'images', 'grub', 'grub.cfg'), join(boot, 'grub.cfg'));
  const env = join(boot, 'grubenv');
  await run('grub-editenv', [env, 'create']);
  await run('grub-editenv', [env, 'set', 'ORDER=A B', 'A_OK=1', 'A_TRY=0', 'B_OK=0', 'B_TRY=0']);
}
