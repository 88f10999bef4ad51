import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["lib/**/*.test.ts", "test/**/*.test.ts", "scripts/**/*.test.ts"],
    // Integration tests hold real-time calls: they are slow by nature, not stuck.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Real-time calls in one file run concurrently. Unit test files run one at a time; the
    // integration files, mostly waiting on real-time calls, two at a time (npm run test:integration):
    // 468 instead of 768 s on this 2-core machine.
    fileParallelism: false,
    pool: "forks",
  },
  resolve: { alias: { "@": new URL("./", import.meta.url).pathname } },
});
