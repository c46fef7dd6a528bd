// Plain HTTP only sends the browser to HTTPS. The Host header is the
// client's word: only a host name or an address (with an optional port) is
// used, anything else gets the redirect without a host, and the path is
// kept only when it is a plain path.
import type { IncomingMessage, ServerResponse } from 'node:http';

const HOST = /^(\[[0-9a-fA-F:.]{2,45}\]|[A-Za-z0-9.-]{1,253})(:\d{1,5})?$/;
const PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]{0,2000}$/;

export function redirectTarget(host: string | undefined, url: string | undefined, httpsPort: number): string {
  const m = host === undefined ? null : HOST.exec(host);
  const path = url !== undefined && PATH.test(url) ? url : '/';
  if (m === null) return path;
  const port = httpsPort === 443 ? '' : `:${httpsPort}`;
  return `https://${m[1]}${port}${path}`;
}

export function redirectHandler(httpsPort: number) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(301, {
      location: redirectTarget(req.headers.host, req.url, httpsPort),
      'content-length': '0',
    });
    res.end();
    req.resume();
  };
}
