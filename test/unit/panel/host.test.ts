// What the panel reads on its own controller: IPv4 addresses without
// loopback, and the uptime; and how the version screen writes the uptime.
import { describe, expect, it } from 'vitest';
import { hostView } from '../../../firmware/panel/host.ts';
import { uptimeText } from '../../../firmware/panel/info-screens.ts';

describe('the host view', () => {
  it('lists IPv4 addresses without loopback, and the uptime in seconds', () => {
    const h = hostView();
    expect(
      h.addresses.every((a) => !a.address.startsWith('127.') && /^\d+\.\d+\.\d+\.\d+$/.test(a.address)),
    ).toBe(true);
    expect(h.uptimeS).toBeGreaterThan(0);
  });

  it('writes uptime as days and hours:minutes', () => {
    expect(uptimeText(59)).toBe('00:00');
    expect(uptimeText(3600 + 120)).toBe('01:02');
    expect(uptimeText(2 * 86_400 + 23 * 3600 + 59 * 60)).toBe('2d 23:59');
  });
});
