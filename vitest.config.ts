import { defineConfig } from 'vitest/config';

// Three projects: `unit` is fast, rootless and runs on fake time; `lab` runs the
// real daemons in network namespaces and must be root; `kernel` boots a QEMU
// guest per test (TCG, tools/kernel) for the drivers that need a real kernel.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          fakeTimers: {
            toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
          },
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/lab/global-setup.ts'],
          // One lab per machine: lab test files share it, so they run one at a time.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'kernel',
          include: ['test/kernel/**/*.test.ts'],
          environment: 'node',
          // One guest at a time: each takes both cores under TCG.
          fileParallelism: false,
          // Each guest has its own hard deadline (tools/kernel/guest.ts), below this.
          testTimeout: 240_000,
        },
      },
    ],
  },
});
