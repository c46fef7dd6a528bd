// The NOC's download server for the VM pair's upgrade tests: one file over
// plain HTTP, from the NOC's namespace on the lab LAN, as an operator's
// update server would offer a bundle. GET and HEAD of /NAME only.
//   node tools/vm/bundle-server.ts FILE ADDRESS PORT
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename } from 'node:path';

const [file, address, port] = process.argv.slice(2);
if (file === undefined || address === undefined || port === undefined) {
  process.stderr.write('usage: node tools/vm/bundle-server.ts FILE ADDRESS PORT\n');
  process.exit(2);
}
const size = statSync(file).size;
const path = `/${basename(file)}`;
createServer((req, res) => {
  if ((req.method !== 'GET' && req.method !== 'HEAD') || req.url !== path) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}).listen(Number(port), address, () => process.stdout.write(`serving ${path} on ${address}:${port}\n`));
