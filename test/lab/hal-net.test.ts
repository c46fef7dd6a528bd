// LinuxNetControl against real kernels: two namespaces joined by a veth pair,
// each call made by a tiny agent process inside its namespace. Needs root and
// iproute2 (ARP goes out through our own raw socket, not arping); fails
// loudly without them.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NetError } from '../../hal/net/net.ts';
import type { GarpOptions, LinkState, NetControl } from '../../hal/net/net.ts';
import { netControlContract } from '../unit/hal/net-contract.ts';

const run = promisify(execFile);
const IP = '/usr/sbin/ip';
const AGENT = fileURLToPath(new URL('./hal-net-agent.ts', import.meta.url));
const DRIVER_URL = new URL('../../hal/net/linux.ts', import.meta.url).href;
const NS1 = 'hal-t1';
const NS2 = 'hal-t2';
const IF1 = 'hal-v1';
const IF2 = 'hal-v2';

function preflight(): void {
  if (process.getuid?.() !== 0) throw new Error('hal-net lab test needs root (network namespaces)');
  if (!existsSync(IP)) throw new Error(`${IP} missing: apt-get install iproute2`);
}

async function ip(...args: string[]): Promise<string> {
  return (await run(IP, args, { timeout: 10_000 })).stdout;
}

async function teardown(): Promise<void> {
  // Deleting a namespace destroys its end of the veth, and with it the pair.
  for (const ns of [NS1, NS2]) await ip('netns', 'del', ns).catch(() => undefined);
}

async function setup(): Promise<void> {
  await teardown(); // a crashed earlier run may have left them behind
  await ip('netns', 'add', NS1);
  await ip('netns', 'add', NS2);
  await ip('link', 'add', IF1, 'netns', NS1, 'type', 'veth', 'peer', 'name', IF2, 'netns', NS2);
  await ip('-n', NS1, 'address', 'add', '198.18.200.1/24', 'dev', IF1);
  await ip('-n', NS2, 'address', 'add', '198.18.200.2/24', 'dev', IF2);
  await ip('-n', NS1, 'link', 'set', IF1, 'up');
  await ip('-n', NS2, 'link', 'set', IF2, 'up');
  await waitOperUp(NS1, IF1);
  await waitOperUp(NS2, IF2);
}

async function waitOperUp(ns: string, ifname: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const [link] = JSON.parse(await ip('-n', ns, '-j', 'link', 'show', 'dev', ifname)) as {
      operstate?: string;
    }[];
    if (link?.operstate === 'UP') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${ns}/${ifname} did not come up`);
}

async function macOf(ns: string, ifname: string): Promise<string> {
  const [link] = JSON.parse(await ip('-n', ns, '-j', 'link', 'show', 'dev', ifname)) as {
    address?: string;
  }[];
  if (!link?.address) throw new Error(`no MAC for ${ns}/${ifname}`);
  return link.address.toLowerCase();
}

/** NetControl whose every call runs LinuxNetControl inside namespace `ns`. */
class AgentNetControl implements NetControl {
  private readonly ns: string;
  constructor(ns: string) {
    this.ns = ns;
  }
  private async call<T>(method: string, ...args: unknown[]): Promise<T> {
    const { stdout } = await run(
      IP,
      ['netns', 'exec', this.ns, process.execPath, AGENT, method, JSON.stringify(args)],
      { timeout: 30_000 },
    );
    const r = JSON.parse(stdout) as { ok: true; value: T } | { ok: false; code: string; message: string };
    if (r.ok) return r.value;
    throw new NetError(r.code as NetError['code'], this.ns, r.message);
  }
  listAddresses(ifname: string): Promise<string[]> {
    return this.call('listAddresses', ifname);
  }
  addAddress(ifname: string, cidr: string): Promise<void> {
    return this.call('addAddress', ifname, cidr);
  }
  removeAddress(ifname: string, cidr: string): Promise<void> {
    return this.call('removeAddress', ifname, cidr);
  }
  linkState(ifname: string): Promise<LinkState> {
    return this.call('linkState', ifname);
  }
  sendGratuitousArp(ifname: string, ipAddr: string, options: GarpOptions): Promise<void> {
    return this.call('sendGratuitousArp', ifname, ipAddr, options);
  }
  probeAddressInUse(ifname: string, ipAddr: string, timeoutMs: number): Promise<string | null> {
    return this.call('probeAddressInUse', ifname, ipAddr, timeoutMs);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

netControlContract(`LinuxNetControl in namespaces ${NS1}/${NS2}`, async () => {
  preflight();
  await setup();
  return {
    a: new AgentNetControl(NS1),
    b: new AgentNetControl(NS2),
    ifA: IF1,
    ifB: IF2,
    ipA: '198.18.200.1',
    ipB: '198.18.200.2',
    macA: await macOf(NS1, IF1),
    macB: await macOf(NS2, IF2),
    freeIp: '198.18.200.99',
    neighbourOnB: async (addr) => {
      const entries = JSON.parse(await ip('-n', NS2, '-j', 'neigh', 'show', 'dev', IF2, 'to', addr)) as {
        lladdr?: string;
      }[];
      return entries[0]?.lladdr?.toLowerCase() ?? null;
    },
    setNeighbourOnB: async (addr, mac) => {
      await ip('-n', NS2, 'neigh', 'replace', addr, 'lladdr', mac, 'dev', IF2, 'nud', 'stale');
      // The kernel ignores ARP that would override an entry changed within
      // locktime (1 s by default); wait it out as a real failover would.
      await sleep(1100);
    },
    setLinkB: async (up) => {
      await ip('-n', NS2, 'link', 'set', IF2, up ? 'up' : 'down');
    },
    drive: (p) => p,
    pause: sleep,
    dispose: teardown,
  };
});

describe('LinuxNetControl on a veth pair', () => {
  it('sees carrier drop on its side when the peer end goes down', async () => {
    preflight();
    await setup();
    try {
      const a = new AgentNetControl(NS1);
      await ip('-n', NS2, 'link', 'set', IF2, 'down');
      let state = await a.linkState(IF1);
      // carrier drops at once; operstate follows via the kernel's linkwatch a moment later.
      for (let i = 0; i < 30 && (state.carrier || state.operUp); i++) {
        await sleep(100);
        state = await a.linkState(IF1);
      }
      expect(state).toEqual({ operUp: false, carrier: false });
    } finally {
      await teardown();
    }
  });
});

// One LinuxNetControl call inside namespace `ns`, timed in-process so that
// Node's start-up (part of every agent call's wall time) is not counted. The
// first ARP call of a process also loads koffi, as the daemon's first will.
const TIMED_CALL = `
const [driverUrl, method, argsJson] = process.argv.slice(1);
const { LinuxNetControl } = await import(driverUrl);
const net = new LinuxNetControl();
const t0 = performance.now();
const value = await net[method](...JSON.parse(argsJson));
process.stdout.write(JSON.stringify({ ms: performance.now() - t0, value: value ?? null }));
`;

async function timed(
  ns: string,
  method: string,
  ...args: unknown[]
): Promise<{ ms: number; value: unknown }> {
  const { stdout } = await run(
    IP,
    [
      'netns',
      'exec',
      ns,
      process.execPath,
      '--input-type=module',
      '-e',
      TIMED_CALL,
      DRIVER_URL,
      method,
      JSON.stringify(args),
    ],
    { timeout: 30_000 },
  );
  return JSON.parse(stdout) as { ms: number; value: unknown };
}

// With iputils arping each announcement took ~1011 ms (it waits for replies)
// and a probe at least 1 s, whatever the timeout asked for.
describe('our own ARP keeps to the requested timing', () => {
  it('a 5 x 200 ms GARP burst takes about 800 ms, well under 2 s, and repoints the neighbour', async () => {
    preflight();
    await setup();
    try {
      const macA = await macOf(NS1, IF1);
      await ip(
        '-n',
        NS2,
        'neigh',
        'replace',
        '198.18.200.1',
        'lladdr',
        '02:00:00:00:00:99',
        'dev',
        IF2,
        'nud',
        'stale',
      );
      await sleep(1100); // the kernel's ARP locktime, see setNeighbourOnB
      const { ms } = await timed(NS1, 'sendGratuitousArp', IF1, '198.18.200.1', {
        count: 5,
        intervalMs: 200,
      });
      console.log(`GARP burst 5 x 200 ms: ${ms.toFixed(1)} ms`);
      expect(ms).toBeGreaterThanOrEqual(790); // four gaps of 200 ms, first frame at once
      expect(ms).toBeLessThan(2000);
      const [entry] = JSON.parse(
        await ip('-n', NS2, '-j', 'neigh', 'show', 'dev', IF2, 'to', '198.18.200.1'),
      ) as {
        lladdr?: string;
      }[];
      expect(entry?.lladdr?.toLowerCase()).toBe(macA);
    } finally {
      await teardown();
    }
  });

  it('a 200 ms probe returns null for a free address within ~400 ms, and the holder sooner', async () => {
    preflight();
    await setup();
    try {
      const free = await timed(NS1, 'probeAddressInUse', IF1, '198.18.200.99', 200);
      const held = await timed(NS1, 'probeAddressInUse', IF1, '198.18.200.2', 200);
      console.log(`probe 200 ms: free ${free.ms.toFixed(1)} ms, held ${held.ms.toFixed(1)} ms`);
      expect(free.value).toBeNull();
      expect(free.ms).toBeGreaterThanOrEqual(195);
      expect(free.ms).toBeLessThan(400);
      expect(held.value).toBe(await macOf(NS2, IF2));
      expect(held.ms).toBeLessThan(400);
    } finally {
      await teardown();
    }
  });
});
