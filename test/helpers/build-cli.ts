import { buildCli } from '../../scripts/build-cli.js';

/**
 * Vitest global setup: compiles the command line before any test spawns it (test/helpers/cli-process.ts runs
 * bin/cni-fleet.js, which loads dist/cli/), so the CLI under test is always the code under test.
 */
export default async function setup(): Promise<void> {
  await buildCli();
}
