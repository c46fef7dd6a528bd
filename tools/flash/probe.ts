// What a target already holds, by blkid's low-level probe (util-linux): a
// filesystem (TYPE) or a partition table (PTTYPE). Flashing over either is
// refused unless --force names the target, since it destroys what is there.
import { FlashError } from './errors.ts';
import { exec } from './exec.ts';
import type { Target } from './target.ts';

// blkid's exit codes: 2 nothing found, 8 ambivalent (several signatures).
const NOTHING = 2;
const AMBIVALENT = 8;

/** What blkid finds, e.g. "ext4 filesystem" or "gpt partition table"; empty when nothing. */
export async function probeContents(target: Target): Promise<string[]> {
  if (target.kind === 'missing' || target.bytes === 0) return []; // holds nothing yet
  const r = await exec('blkid', ['-p', '-o', 'export', target.path]);
  if (r.code === NOTHING) return [];
  if (r.code === AMBIVALENT) return ['several signatures (blkid: ambivalent result)'];
  if (r.code !== 0) throw new FlashError(`blkid -p ${target.path} exited ${r.code}: ${r.stderr.trim()}`);
  const found: string[] = [];
  for (const line of r.stdout.toString('utf8').split('\n')) {
    const [key, value] = line.split('=', 2);
    if (key === 'TYPE' && value) found.push(`${value} filesystem`);
    if (key === 'PTTYPE' && value) found.push(`${value} partition table`);
  }
  return found.length > 0 ? found : ['a signature blkid reports'];
}
