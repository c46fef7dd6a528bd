// Runs one LinuxNetControl call inside a network namespace, for the lab test:
//   ip netns exec NS node test/lab/hal-net-agent.ts METHOD 'JSON-ARGS'
// and prints {"ok":true,"value":...} or {"ok":false,"code":...,"message":...}.
// The driver runs unprefixed here, exactly as the firmware does inside its
// own namespace (ip netns exec also remounts /sys for this namespace).
import { isHalError } from '../../hal/errors.ts';
import { LinuxNetControl } from '../../hal/net/linux.ts';

const net = new LinuxNetControl();
const method = process.argv[2] ?? '';
const argsJson = process.argv[3] ?? '[]';
const args: unknown = JSON.parse(argsJson);

async function call(): Promise<unknown> {
  switch (method) {
    case 'listAddresses':
      return net.listAddresses(...(args as [string]));
    case 'addAddress':
      return net.addAddress(...(args as [string, string]));
    case 'removeAddress':
      return net.removeAddress(...(args as [string, string]));
    case 'linkState':
      return net.linkState(...(args as [string]));
    case 'sendGratuitousArp':
      return net.sendGratuitousArp(...(args as [string, string, { count: number; intervalMs: number }]));
    case 'probeAddressInUse':
      return net.probeAddressInUse(...(args as [string, string, number]));
    default:
      throw new Error(`unknown method ${method}`);
  }
}

try {
  const value = await call();
  process.stdout.write(JSON.stringify({ ok: true, value: value ?? null }));
} catch (err) {
  process.stdout.write(
    JSON.stringify({ ok: false, code: isHalError(err) ? err.code : 'untyped', message: String(err) }),
  );
}
