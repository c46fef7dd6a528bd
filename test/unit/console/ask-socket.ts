// A raw line client of a control socket for tests: sends any body as it is
// (hostile ones included, which firmware/console/client.ts would never
// build) and resolves with the first reply line.
import { createConnection } from 'node:net';

export function ask(path: string, body: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (c: string) => {
      buf += c;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        s.destroy();
        resolve(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      }
    });
    s.on('error', reject);
    s.write(JSON.stringify(body) + '\n');
  });
}
