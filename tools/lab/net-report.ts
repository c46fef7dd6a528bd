// What the lab's LAN looks like right now, as text for a failed test's
// message: when the client cannot reach the VIP, this says whether the VIP is
// up and where, what the client's ARP cache holds, whether each bridge port
// forwards, and whether the controllers' own addresses answer a ping.
import { tryRun } from './run.ts';
import { ADDR, LAN_BRIDGE, NETNS } from './topology.ts';

const MAX_CHARS = 4000;

async function section(title: string, cmd: string, args: readonly string[]): Promise<string> {
  const r = await tryRun(cmd, args, { timeoutMs: 5000 });
  const body = (r.stdout + r.stderr).trim();
  return `-- ${title} (exit ${r.code})\n${body}`;
}

export async function lanReport(): Promise<string> {
  const parts = [
    await section('A addresses', 'ip', ['-n', NETNS.A, '-br', 'address']),
    await section('B addresses', 'ip', ['-n', NETNS.B, '-br', 'address']),
    await section('client addresses', 'ip', ['-n', NETNS.client, '-br', 'address']),
    await section('client neighbours', 'ip', ['-n', NETNS.client, 'neigh', 'show']),
    await section('bridge ports', 'bridge', ['-n', NETNS.lan, 'link', 'show']),
    await section('bridge fdb', 'bridge', ['-n', NETNS.lan, 'fdb', 'show', 'br', LAN_BRIDGE, 'dynamic']),
    await section('client ping A', 'ip', ['netns', 'exec', NETNS.client, 'ping', '-c1', '-W1', ADDR.lanA]),
    await section('client ping B', 'ip', ['netns', 'exec', NETNS.client, 'ping', '-c1', '-W1', ADDR.lanB]),
    await section('client ping VIP', 'ip', [
      'netns',
      'exec',
      NETNS.client,
      'ping',
      '-c1',
      '-W1',
      ADDR.lanVip,
    ]),
  ];
  const text = parts.join('\n');
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}\n…` : text;
}
