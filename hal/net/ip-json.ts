// Parsing `ip -j -4 address show dev IF`. The output is untrusted input: any
// shape we do not expect is a protocol error, never a crash.
import { NetError, isIpv4 } from './net.ts';

export function parseIpAddrJson(ifname: string, text: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new NetError('protocol', ifname, 'ip -j printed invalid JSON', { cause: err });
  }
  if (!Array.isArray(doc)) throw new NetError('protocol', ifname, 'ip -j output is not an array');
  const out: string[] = [];
  for (const link of doc as unknown[]) {
    if (!isRecord(link)) throw new NetError('protocol', ifname, 'ip -j link entry is not an object');
    // `ip -4` can print an empty object for a link without IPv4 addresses.
    if (link['addr_info'] === undefined) continue;
    const infos = link['addr_info'];
    if (!Array.isArray(infos)) throw new NetError('protocol', ifname, 'ip -j addr_info is not an array');
    for (const info of infos as unknown[]) {
      if (!isRecord(info)) throw new NetError('protocol', ifname, 'ip -j addr_info entry is not an object');
      if (info['family'] !== 'inet') continue;
      const local = info['local'];
      const prefix = info['prefixlen'];
      if (typeof local !== 'string' || !isIpv4(local)) {
        throw new NetError('protocol', ifname, `ip -j address ${JSON.stringify(local)} is not IPv4`);
      }
      if (typeof prefix !== 'number' || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
        throw new NetError('protocol', ifname, `ip -j prefixlen ${JSON.stringify(prefix)} is invalid`);
      }
      out.push(`${local}/${prefix}`);
    }
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
