// Fuzz: hostile input at the control socket and the MQTT intake, in every
// class the issue names (deeply nested, oversized, out-of-range numbers,
// prototype keys, control characters, plus arbitrary JSON and bytes). Each
// input must get an answer (a reply line, or for an over-long line the
// error and a closed connection) within a second, never a crash, and the
// server must go on answering tandemctl.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ControlSocketServer } from '../../../firmware/console/server.ts';
import { main } from '../../../firmware/console/tandemctl.ts';
import { COMMANDS } from '../../../firmware/core/envelope.ts';
import { intakeRequest } from '../../../firmware/telemetry/request-intake.ts';
import { RequestVerifier, signRequest } from '../../../firmware/telemetry/signature.ts';
import { TelemetryBox } from '../../lab/fixtures/telemetry-box.ts';
import { COMMAND, hostileLine, exchange } from './hostile-inputs.ts';

const TOKEN = 'fuzz-token-0123456789abcdef0123456789';

describe('fuzz: hostile input', () => {
  let dir: string;
  let sock: string;
  let box: TelemetryBox;
  let server: ControlSocketServer;

  beforeAll(async () => {
    vi.useRealTimers();
    dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
    sock = join(dir, 'run', 'tandemctl.sock');
    box = new TelemetryBox({ boxId: 'box1', controller: 'A' });
    server = new ControlSocketServer({
      socketPath: sock,
      commandHandler: box,
      log: { warn: () => undefined },
    });
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the MQTT intake answers every hostile payload, signed or not, without throwing', () => {
    const verifier = new RequestVerifier({ token: TOKEN, maxSeen: 1_000_000 });
    let n = 0;
    fc.assert(
      fc.property(hostileLine, COMMAND, fc.boolean(), (line, command, sign) => {
        let payload = Buffer.from(line, 'utf8');
        if (sign) {
          // A validly signed request whose arguments are whatever the line held.
          let args: unknown;
          try {
            args = (JSON.parse(line) as { args?: unknown }).args ?? {};
          } catch {
            args = line;
          }
          const f = { boxId: 'box1', controller: 'A', command, args, transaction: `tx-${n++}`, ts: 1000 };
          try {
            payload = Buffer.from(
              JSON.stringify({ args, transaction: f.transaction, ts: 1000, sig: signRequest(TOKEN, f) }),
            );
          } catch {
            // Too deep for JSON.stringify to build: send the line as it is.
          }
        }
        const t0 = performance.now();
        const r = intakeRequest({
          commandLevel: command,
          payload,
          boxId: 'box1',
          controller: 'A',
          verifier,
          nowMs: 1000,
        });
        expect(performance.now() - t0).toBeLessThan(1000);
        if (r.kind === 'refuse') {
          expect(r.response.status).toBe('error');
          expect(typeof r.response.error).toBe('string');
        } else {
          // Only a signed request of a real command with valid arguments runs.
          expect(sign).toBe(true);
          expect(COMMANDS).toContain(r.request.command);
          expect(Object.getPrototypeOf(r.request.args)).toBe(Object.prototype);
        }
      }),
      { numRuns: 400 },
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('the control socket answers every hostile line within a second and keeps serving tandemctl', async () => {
    await fc.assert(
      // A blank line is no request (the protocol skips it), so it has no answer to wait for.
      fc.asyncProperty(
        hostileLine.filter((l) => l.trim() !== ''),
        async (line) => {
          const { reply, ms } = await exchange(sock, line);
          expect(ms).toBeLessThan(1000);
          expect(reply).not.toBeNull();
          const r = JSON.parse(reply ?? '') as { status: string; error: string | null };
          expect(['ok', 'error']).toContain(r.status);
          // Every request the handler saw was a real, admitted command.
          expect(box.handled.every((h) => (COMMANDS as readonly string[]).includes(h.command))).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const out: string[] = [];
    expect(
      await main(['--socket', sock, 'status'], {
        out: (t) => out.push(t),
        err: () => undefined,
        color: false,
        now: () => 0,
      }),
    ).toBe(0);
    expect(out.join('\n')).toContain('Box:');
  }, 60_000);
});
