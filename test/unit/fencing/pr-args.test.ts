import { describe, expect, it } from 'vitest';
import { PrUsageError, parsePrArgs } from '../../../tools/pr/args.ts';

const ISCSI = [
  '--transport',
  'iscsi',
  '--portal',
  '198.18.3.1:3260',
  '--target',
  'iqn.2026-11.invalid.tandem:encl',
];

describe('tools/pr arguments', () => {
  it('parses an iSCSI preempt with a type', () => {
    expect(parsePrArgs([...ISCSI, '--lun', '1', '--json', 'preempt', '0x10', '17', '--type', 'we'])).toEqual({
      transport: {
        kind: 'iscsi',
        host: '198.18.3.1',
        port: 3260,
        target: 'iqn.2026-11.invalid.tandem:encl',
        lun: 1,
        initiator: 'iqn.2026-11.invalid.tandem:pr-tool',
      },
      command: { verb: 'preempt', key: 16n, victim: 17n, type: 1 },
      json: true,
    });
  });

  it('parses an sg keys request, with WERO as the default type for reserve', () => {
    expect(parsePrArgs(['--transport', 'sg', '--device', '/dev/sg2', 'keys']).transport).toEqual({
      kind: 'sg',
      device: '/dev/sg2',
    });
    expect(parsePrArgs([...ISCSI, 'reserve', '0xff']).command).toEqual({
      verb: 'reserve',
      key: 255n,
      type: 5,
    });
  });

  it.each([
    [['keys'], /--transport/],
    [['--transport', 'iscsi', 'keys'], /--portal/],
    [[...ISCSI, '--lun', '99999', 'keys'], /--lun/],
    [[...ISCSI, 'register', '0x0'], /KEY must not be 0/],
    [[...ISCSI, 'register', '0x1ffffffffffffffff'], /KEY must be/],
    [[...ISCSI, 'register', 'banana'], /KEY must be/],
    [[...ISCSI, 'keys', 'extra'], /keys takes 0/],
    [[...ISCSI, 'reserve', '1', '--type', 'xx'], /--type must be one of/],
    [[...ISCSI, 'clear', '1', '--type', 'we'], /--type does not apply/],
    [[...ISCSI, 'frobnicate'], /unknown verb/],
    [[...ISCSI], /no verb/],
    [[...ISCSI, '--device', '/dev/sg0', 'keys'], /--device is for --transport sg/],
    [['--transport', 'sg', '--device', 'sg0', 'keys'], /--device must be/],
    [[...ISCSI, '--portal', 'x', 'keys'], /given twice/],
    [[...ISCSI, '--bogus', 'keys'], /unknown option/],
  ])('rejects %j', (argv, message) => {
    expect(() => parsePrArgs(argv)).toThrow(PrUsageError);
    expect(() => parsePrArgs(argv)).toThrow(message);
  });
});
