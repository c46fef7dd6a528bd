// /proc/self/mountinfo, the mount table of our own mount namespace (the lab
// gives each controller its own). Format, proc(5):
//   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
// Fields after the optional tags are separated by a lone "-". Spaces and
// other special characters in paths are octal escapes (\040).

export interface MountEntry {
  readonly major: number;
  readonly minor: number;
  readonly mountPoint: string;
  readonly mountOptions: string;
  readonly fstype: string;
  readonly source: string;
  readonly superOptions: string;
}

function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses the table; malformed lines are skipped rather than trusted. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    const devno = /^(\d+):(\d+)$/.exec(fields[2] ?? '');
    const mountPoint = fields[4];
    const fstype = fields[dash + 1];
    const source = fields[dash + 2];
    if (dash < 0 || !devno || mountPoint === undefined || fstype === undefined || source === undefined)
      continue;
    out.push({
      major: Number(devno[1]),
      minor: Number(devno[2]),
      mountPoint: unescape(mountPoint),
      mountOptions: fields[5] ?? '',
      fstype,
      source: unescape(source),
      superOptions: fields[dash + 3] ?? '',
    });
  }
  return out;
}

/** The entry visible at `dir` (the last mount on top wins). */
export function mountAt(entries: readonly MountEntry[], dir: string): MountEntry | undefined {
  return entries.filter((e) => e.mountPoint === dir).at(-1);
}
