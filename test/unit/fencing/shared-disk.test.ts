// From config to the shared session: transport "sg" is accepted (with a
// bounded, /dev-confined sgDevice) and builds the SG_IO session on the real
// driver, the node from sgDevice or else the HAL default; "iscsi" builds the
// initiator session. Nothing opens before ready().
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { SystemClock } from '../../../hal/clock/system.ts';
import type { ScsiCommand } from '../../../hal/scsi/device.ts';
import { validateConfig } from '../../../firmware/config/validate.ts';
import { createSharedDisk } from '../../../firmware/fencing/shared-disk.ts';
import { SharedIscsiSession } from '../../../firmware/fencing/shared-iscsi.ts';
import { SharedSgSession } from '../../../firmware/fencing/shared-sg.ts';

const TUR: ScsiCommand = { cdb: new Uint8Array(6), direction: 'none', timeoutMs: 1000 };

function configWith(disk: Record<string, unknown>) {
  const r = validateConfig({ cluster: { disk } });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
}

function sgDeviceErrors(sgDevice: string): string[] {
  const r = validateConfig({ cluster: { disk: { transport: 'sg', sgDevice } } });
  return r.ok ? [] : r.errors.map((e) => e.path);
}

describe('config → shared disk', () => {
  it('accepts transport "sg" (the default) with or without sgDevice', () => {
    expect(configWith({}).cluster.disk.transport).toBe('sg');
    expect(configWith({ transport: 'sg', sgDevice: '/dev/sg2' }).cluster.disk.sgDevice).toBe('/dev/sg2');
    expect(configWith({ sgDevice: '/dev/tandem/witness' }).cluster.disk.sgDevice).toBe('/dev/tandem/witness');
  });

  it.each([
    '/dev/../etc/shadow',
    '/dev/sg0/../../etc/shadow',
    '/dev/..',
    'sg0',
    '/tmp/sg0',
    '/dev/sg 0',
    `/dev/${'s'.repeat(251)}`,
  ])('refuses sgDevice %j', (sgDevice) => {
    expect(sgDeviceErrors(sgDevice)).toEqual(['/cluster/disk/sgDevice']);
  });

  it('builds the SG session on sgDevice, else on the HAL default, and opens only on ready()', () => {
    const clock = new SystemClock();
    const named = createSharedDisk(configWith({ transport: 'sg', sgDevice: '/dev/sg7' }), clock);
    expect(named).toBeInstanceOf(SharedSgSession);
    expect(named.device.description).toBe('/dev/sg7');
    expect(named.transport().description).toBe('/dev/sg7');
    expect((named as SharedSgSession).state).toBe('idle');
    const fallback = createSharedDisk(configWith({ transport: 'sg' }), clock, { scsiGeneric: '/dev/sg9' });
    expect(fallback.device.description).toBe('/dev/sg9');
  });

  it('opens the node through the real SG_IO driver (here /dev/null: the ioctl answers ENOTTY)', async () => {
    const disk = createSharedDisk(configWith({ transport: 'sg', sgDevice: '/dev/null' }), new SystemClock());
    try {
      await disk.ready();
      await expect(disk.device.execute(TUR)).rejects.toMatchObject({
        code: 'not-supported',
        errno: constants.errno.ENOTTY,
      });
      expect((disk as SharedSgSession).state).toBe('open'); // a wrong node is not a lost one
    } finally {
      await disk.close();
    }
  });

  it('builds the iSCSI session for transport "iscsi"', async () => {
    const disk = createSharedDisk(
      configWith({
        transport: 'iscsi',
        portal: { host: '198.18.3.1', port: 3260 },
        targetIqn: 'iqn.2026-11.invalid.tandem:encl',
        initiatorName: 'iqn.2026-11.invalid.tandem:ctrl-a',
        lun: 1,
      }),
      new SystemClock(),
    );
    expect(disk).toBeInstanceOf(SharedIscsiSession);
    expect(disk.device.description).toBe('iscsi://198.18.3.1:3260/iqn.2026-11.invalid.tandem:encl/1');
    await disk.close();
  });
});
