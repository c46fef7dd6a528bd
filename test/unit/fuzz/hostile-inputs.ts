// Hostile inputs of every class the issue names, as fast-check arbitraries
// shared by the fuzz suites: deeply nested, oversized, out-of-range numbers,
// prototype keys, control characters, plus arbitrary JSON and bytes.
import { createConnection } from 'node:net';
import fc from 'fast-check';
import { COMMANDS } from '../../../firmware/core/envelope.ts';

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
export const COMMAND = fc.constantFrom(...COMMANDS, 'reboot', '', '__proto__');
export const ODD_NUMBERS = fc.oneof(
  fc.constantFrom(
    '1e308',
    '-1e308',
    '4294967296',
    '9007199254740993',
    '-0',
    '0.5',
    '1e-400',
    '18446744073709551616',
  ),
  fc.double().map((d) => (Number.isFinite(d) ? String(d) : '0')),
);
export const CONTROL_TEXT = fc.string({ unit: 'binary', maxLength: 64 });

/** One request line of a hostile class, as raw JSON text. */
export const hostileLine: fc.Arbitrary<string> = fc.oneof(
  // Deeply nested arguments, up to 40 KB of brackets.
  fc
    .tuple(COMMAND, fc.integer({ min: 1, max: 20_000 }), fc.boolean())
    .map(([c, n, obj]) =>
      obj
        ? `{"command":${JSON.stringify(c)},"args":${'{"a":'.repeat(n)}1${'}'.repeat(n)},"transaction":"t"}`
        : `{"command":${JSON.stringify(c)},"args":${'['.repeat(n)}${']'.repeat(n)},"transaction":"t"}`,
    ),
  // Oversized: a padded envelope up to 700 KiB, or a very wide object.
  fc
    .integer({ min: 200 * 1024, max: 700 * 1024 })
    .map((n) => JSON.stringify({ command: 'log', args: {}, transaction: 'big', pad: 'x'.repeat(n) })),
  fc
    .integer({ min: 100, max: 20_000 })
    .map(
      (n) =>
        `{"command":"status","args":{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}},"transaction":"w"}`,
    ),
  // Out-of-range numbers in every numeric argument.
  fc
    .tuple(
      fc.constantFrom('alarm-ack:id', 'log:limit', 'log:since', 'takeover:force', 'maintenance:on'),
      ODD_NUMBERS,
    )
    .map(([which, num]) => {
      const [c, arg] = which.split(':');
      return `{"command":"${c}","args":{"${arg}":${num}},"transaction":"n"}`;
    }),
  // Prototype keys, in the arguments and in the envelope.
  fc
    .tuple(fc.constantFrom(...PROTO_KEYS), COMMAND, fc.boolean())
    .map(([k, c, top]) =>
      top
        ? `{"command":${JSON.stringify(c)},"${k}":{"polluted":true},"args":{},"transaction":"p"}`
        : `{"command":${JSON.stringify(c)},"args":{"${k}":{"polluted":true},"on":true},"transaction":"p"}`,
    ),
  // Control characters in every string field.
  fc
    .tuple(CONTROL_TEXT, CONTROL_TEXT, CONTROL_TEXT)
    .map(([c, g, t]) => JSON.stringify({ command: c, args: { group: g }, transaction: t })),
  // Anything JSON, and anything at all.
  fc.json({ maxDepth: 6 }),
  fc.string({ unit: 'binary', maxLength: 512 }).map((s) => s.replace(/\n/g, ' ')),
);

/** One line to a control socket: the reply line, or null if the server closed first, and the time taken. */
export function exchange(socketPath: string, line: string): Promise<{ reply: string | null; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const s = createConnection(socketPath);
    let buf = '';
    const done = (reply: string | null) => {
      s.destroy();
      resolve({ reply, ms: performance.now() - t0 });
    };
    s.on('error', () => undefined);
    s.setEncoding('utf8');
    s.on('data', (c: string) => {
      buf += c;
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(buf.slice(0, nl));
    });
    s.on('close', () => done(null));
    s.on('connect', () => s.write(line + '\n'));
  });
}
