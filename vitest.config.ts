import { defineConfig } from 'vitest/config';

// Four projects: `unit` is fast, rootless and runs on fake time; `lab` runs the
// real daemons in network namespaces and must be root; `kernel` boots a QEMU
// guest per test (TCG, tools/kernel) for the drivers that need a real kernel;
// `vm` builds the dev image and boots the VM pair from it (tools/vm).
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
      {
        test: {
          name: 'vm',
          include: ['test/vm/**/*.test.ts'],
          environment: 'node',
          // The VM pair is the lab with two guests: one file at a time, and
          // never beside the lab or kernel projects (fast tiers first).
          fileParallelism: false,
          testTimeout: 1_200_000,
          hookTimeout: 1_500_000,
        },
      },
    ],
  },
});
