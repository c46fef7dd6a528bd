// Test hook for the soak bench: with TANDEM_DEBUG=1, SIGUSR2 busy-blocks the
// event loop for TANDEM_DEBUG_STALL_MS (default 200) ms, as a GC pause or a
// CPU-starved process would. Off unless explicitly enabled.
export function installDebugStall(env: NodeJS.ProcessEnv, onStall: (ms: number) => void): void {
  if (env['TANDEM_DEBUG'] !== '1') return;
  const raw = Number(env['TANDEM_DEBUG_STALL_MS'] ?? '200');
  const ms = Number.isInteger(raw) && raw > 0 && raw <= 60_000 ? raw : 200;
  process.on('SIGUSR2', () => {
    onStall(ms);
    const end = Date.now() + ms;
    while (Date.now() < end) {
      // busy wait on purpose
    }
  });
}
