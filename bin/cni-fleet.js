#!/usr/bin/env node
// The command line runs as compiled JavaScript from dist/cli/, which `npm run build` writes and `npm ci` runs
// through the `prepare` script (scripts/build-cli.ts): no TypeScript is transpiled at start-up.

// The SDK is pinned to releases that still support Node 20 and warns once per process that releases after January
// 2027 will not (docs/toolchain.md#node-versions); on every CLI run that is noise in the operator's terminal, not news. An operator
// who sets the variable explicitly keeps their choice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

try {
  await import('../dist/cli/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli/cli.js')) throw error;
  process.stderr.write('cni-fleet: the command line is not built: run `npm run build` (npm ci does it)\n');
  process.exitCode = 1;
}
