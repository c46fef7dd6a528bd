import { describe, expect, it } from 'vitest';
import { BootError } from '../../../hal/boot/boot-slots.ts';
import { parseProgress, parseStatus } from '../../../hal/boot/rauc.ts';

// `rauc status --detailed --output-format=json` of RAUC 1.8 on a controller
// (system.conf: bootloader=grub, rootfs.0 bootname A, rootfs.1 bootname B;
// GRUB passes rauc.slot=A), with an EFI slot that has no bootname beside them.
function raucStatus(o: { booted?: string; primary?: string | null; bStatus?: string } = {}) {
  return {
    compatible: 'tandem-controller',
    variant: '',
    booted: o.booted ?? 'A',
    boot_primary: o.primary === undefined ? 'rootfs.1' : o.primary,
    slots: [
      {
        'efi.0': {
          class: 'efi',
          device: '/dev/vda1',
          type: 'vfat',
          bootname: null,
          state: 'inactive',
          parent: null,
          mountpoint: null,
          boot_status: null,
          slot_status: { bundle: { compatible: null } },
        },
      },
      {
        'rootfs.0': {
          class: 'rootfs',
          device: '/dev/disk/by-partlabel/rootfs-a',
          type: 'ext4',
          bootname: 'A',
          state: 'booted',
          parent: null,
          mountpoint: '/',
          boot_status: 'good',
          slot_status: {
            bundle: {
              compatible: 'tandem-controller',
              version: '0.1.0',
              description: null,
              build: '20260101',
              hash: 'ab12',
            },
            checksum: { sha256: 'ab12', size: 805306368 },
            installed: { timestamp: '2026-01-01T00:00:00Z', count: 1 },
            activated: { timestamp: '2026-01-01T00:00:01Z', count: 1 },
            status: 'ok',
          },
        },
      },
      {
        'rootfs.1': {
          class: 'rootfs',
          device: '/dev/disk/by-partlabel/rootfs-b',
          type: 'ext4',
          bootname: 'B',
          state: 'inactive',
          parent: null,
          mountpoint: null,
          boot_status: o.bStatus ?? 'good',
          slot_status: {
            bundle: {
              compatible: 'tandem-controller',
              version: '0.2.0',
              description: null,
              build: '20260201',
              hash: 'cd34',
            },
            status: 'ok',
          },
        },
      },
    ],
  };
}

function badOutput(text: string): BootError {
  try {
    parseStatus(text);
  } catch (e) {
    expect(e).toBeInstanceOf(BootError);
    expect((e as BootError).code).toBe('bad-output');
    return e as BootError;
  }
  throw new Error(`parsed: ${text}`);
}

describe('parseStatus: rauc status --detailed --output-format=json', () => {
  it('reads the booted slot, the primary (by slot id) and each root slot by bootname', () => {
    expect(parseStatus(JSON.stringify(raucStatus()))).toEqual({
      booted: 'A',
      primary: 'B',
      slots: [
        { name: 'A', good: true, version: '0.1.0' },
        { name: 'B', good: true, version: '0.2.0' },
      ],
    });
  });

  it('a bad slot and a slot never installed (no bundle version) read as such', () => {
    const doc = raucStatus({ booted: 'B', primary: 'rootfs.0', bStatus: 'bad' });
    const a = doc.slots[1]!['rootfs.0']!;
    a.slot_status = { bundle: { compatible: null } } as never;
    const s = parseStatus(JSON.stringify(doc));
    expect(s.booted).toBe('B');
    expect(s.primary).toBe('A');
    expect(s.slots).toEqual([
      { name: 'A', good: true, version: null },
      { name: 'B', good: false, version: '0.2.0' },
    ]);
  });

  it('no primary given (boot_primary null): the booted slot', () => {
    expect(parseStatus(JSON.stringify(raucStatus({ primary: null }))).primary).toBe('A');
  });

  it('garbage is refused as bad-output', () => {
    for (const text of ['', 'rauc: command not found', '{"booted":', '[]', 'null', '42']) badOutput(text);
  });

  it('a booted slot that is not A or B is refused (rauc.slot missing: a device path)', () => {
    expect(badOutput(JSON.stringify(raucStatus({ booted: '/dev/vda2' }))).message).toMatch(/booted/);
    const doc: Record<string, unknown> = raucStatus();
    delete doc['booted'];
    badOutput(JSON.stringify(doc));
  });

  it('missing slots, or not exactly the two root slots, are refused', () => {
    const noSlots: Record<string, unknown> = raucStatus();
    delete noSlots['slots'];
    expect(badOutput(JSON.stringify(noSlots)).message).toMatch(/0 root slots/);
    const one = raucStatus();
    one.slots.pop();
    expect(badOutput(JSON.stringify(one)).message).toMatch(/1 root slots/);
    badOutput(JSON.stringify({ ...raucStatus(), slots: 'rootfs.0' }));
    badOutput(JSON.stringify({ ...raucStatus(), slots: [null, 1, 'x', []] }));
  });
});

describe('parseProgress: rauc install output', () => {
  it('reads percent lines', () => {
    expect(parseProgress('  20% Checking bundle')).toEqual({ percent: 20, message: 'Checking bundle' });
    expect(parseProgress('  0% Installing')).toEqual({ percent: 0, message: 'Installing' });
    expect(parseProgress('100% Installing done.')).toEqual({ percent: 100, message: 'Installing done.' });
    expect(parseProgress(' 42% Copying image to rootfs.1  ')).toEqual({
      percent: 42,
      message: 'Copying image to rootfs.1',
    });
  });

  it('caps at 100', () => {
    expect(parseProgress('250% odd')?.percent).toBe(100);
  });

  it('other lines are not progress', () => {
    for (const line of [
      '',
      'installing',
      'Installing `/data/bundle.raucb` succeeded',
      'LastError: Failed verifying signature',
      '20 % spaced',
      '1000% too many digits',
      'at 20% Checking',
      '-5% negative',
    ])
      expect(parseProgress(line)).toBeNull();
  });
});
