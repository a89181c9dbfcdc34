import { defineConfig } from 'vitest/config';

// .ci/run sets VITEST_JSON_REPORT so it can print "N passed, N failed" from vitest's own totals.
const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The CLI tests spawn the compiled command line: build it once, before any test runs.
    globalSetup: ['test/helpers/build-cli.ts'],
    // The SDK (pinned to releases that support Node 20) warns on Node 20 that its releases after January 2027 will
    // not; docs/toolchain.md#node-versions explains why that is not news here. The same setting as the CLI's (bin/cni-fleet.js).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: jsonReport ? ['default', 'json'] : ['default'],
    ...(jsonReport ? { outputFile: { json: jsonReport } } : {}),
  },
});
