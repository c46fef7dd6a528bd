// A newc ("070701") cpio writer, enough for an initramfs: directories, files,
// symlinks and device nodes. Written here so the tier needs no cpio binary.

export type CpioEntry =
  | { readonly kind: 'dir'; readonly path: string }
  | { readonly kind: 'file'; readonly path: string; readonly data: Buffer; readonly mode?: number }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string }
  | { readonly kind: 'char'; readonly path: string; readonly major: number; readonly minor: number };

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function record(
  ino: number,
  mode: number,
  data: Buffer,
  name: string,
  rdev: [number, number] = [0, 0],
): Buffer {
  const nameBytes = Buffer.from(name + '\0');
  const fields = [ino, mode, 0, 0, 1, 0, data.length, 0, 0, rdev[0], rdev[1], nameBytes.length, 0];
  const header = Buffer.from('070701' + fields.map((f) => f.toString(16).padStart(8, '0')).join(''));
  return Buffer.concat([
    header,
    nameBytes,
    Buffer.alloc(pad4(header.length + nameBytes.length)),
    data,
    Buffer.alloc(pad4(data.length)),
  ]);
}

export function cpioArchive(entries: readonly CpioEntry[]): Buffer {
  const parts = entries.map((e, i) => {
    const ino = i + 1;
    switch (e.kind) {
      case 'dir':
        return record(ino, 0o040755, Buffer.alloc(0), e.path);
      case 'file':
        return record(ino, 0o100000 | (e.mode ?? 0o644), e.data, e.path);
      case 'symlink':
        return record(ino, 0o120777, Buffer.from(e.target), e.path);
      case 'char':
        return record(ino, 0o020600, Buffer.alloc(0), e.path, [e.major, e.minor]);
    }
  });
  parts.push(record(0, 0, Buffer.alloc(0), 'TRAILER!!!'));
  return Buffer.concat(parts);
}
