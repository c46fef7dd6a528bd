// The ISID a controller logs in with is the same at every process start for
// its initiator name (one SCSI initiator port across restarts), in the
// random format RFC 7143 §11.12.5 defines, and differs between names.
import { describe, expect, it } from 'vitest';
import { isidFor } from '../../../hal/scsi/iscsi/initiator.ts';

describe('isidFor', () => {
  it('is stable per initiator name, type 10b, and differs between the two controllers', () => {
    const a = isidFor('iqn.2026-11.invalid.tandem:ctrl-a');
    expect(a).toHaveLength(6);
    expect(isidFor('iqn.2026-11.invalid.tandem:ctrl-a')).toEqual(a);
    expect(a[0]! >> 6).toBe(0b10);
    expect(isidFor('iqn.2026-11.invalid.tandem:ctrl-b')).not.toEqual(a);
  });
});
