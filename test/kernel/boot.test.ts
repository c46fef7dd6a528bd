// The kernel tier's own smoke test: a guest boots the bookworm kernel, runs
// the project's Node from the host's tree and powers off, within its deadline.
import { describe, expect, it } from 'vitest';
import { REPO, runGuest, shQuote } from '../../tools/kernel/guest.ts';

describe('kernel tier guest', () => {
  it('boots, runs node from the repository and powers off', async () => {
    const script =
      'console.log(JSON.stringify({ node: process.version, kernel: os.release(), uid: process.getuid() }))';
    const run = await runGuest({
      name: 'boot',
      job: `${shQuote(`${REPO}/node_modules/.bin/node`)} -e ${shQuote(script)}`,
      timeoutMs: 90_000,
    });
    console.log(`kernel tier: boot guest ${run.elapsedMs} ms, root ready at ${run.bootSeconds} s`);
    expect(run.timedOut, run.console).toBe(false);
    expect(run.jobExitCode, run.jobLog + run.console).toBe(0);
    const seen = JSON.parse(run.jobLog.trim()) as { node: string; kernel: string; uid: number };
    expect(seen.node).toBe('v22.22.0');
    expect(seen.kernel).toMatch(/^6\.1\.0-/);
    expect(seen.uid).toBe(0);
  });
});
