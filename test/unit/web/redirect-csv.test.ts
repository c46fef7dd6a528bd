// The small pieces of the web panel that take outside text: the HTTP
// redirect (the Host header is the client's word) and the CSV export
// (event text must stay text in a spreadsheet).
import { describe, expect, it } from 'vitest';
import { redirectTarget } from '../../../firmware/web/redirect.ts';
import { eventsCsv } from '../../../firmware/web/csv.ts';

describe('plain HTTP redirects to HTTPS', () => {
  it('keeps a sane host and path, drops anything else', () => {
    expect(redirectTarget('198.18.1.10', '/api/events.csv?since=1', 443)).toBe(
      'https://198.18.1.10/api/events.csv?since=1',
    );
    expect(redirectTarget('box-7:80', '/api/session', 8443)).toBe('https://box-7:8443/api/session');
    expect(redirectTarget('evil.example\r\nSet-Cookie: x=1', '/', 443)).toBe('/');
    expect(redirectTarget('box', '//evil.example/\r\n', 443)).toBe('https://box/');
    expect(redirectTarget(undefined, undefined, 443)).toBe('/');
  });
});

describe('events as CSV', () => {
  it('quotes what needs quoting and defuses cells a spreadsheet would run', () => {
    const csv = eventsCsv([
      {
        id: 1,
        ts: Date.UTC(2026, 0, 1),
        severity: 'info',
        source: 'cluster',
        code: 'X',
        message: 'a, "b"\nc',
      },
      {
        id: 2,
        ts: Date.UTC(2026, 0, 1),
        severity: 'warning',
        source: 'web',
        code: 'Y',
        message: '=HYPERLINK("x")',
      },
      'not an event',
    ]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('id,time,severity,source,code,message');
    expect(lines[1]).toBe('1,2026-01-01T00:00:00.000Z,info,cluster,X,"a, ""b""\nc"');
    expect(lines[2]).toBe(`2,2026-01-01T00:00:00.000Z,warning,web,Y,"'=HYPERLINK(""x"")"`);
    expect(lines).toHaveLength(4);
  });
});
