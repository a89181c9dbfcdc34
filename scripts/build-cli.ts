/**
 * Compiles the command line (bin/cli.ts and everything it imports from lib/, sim/, functions/) into plain
 * JavaScript in dist/cli/, so `cni-fleet` starts without transpiling TypeScript at every call. `npm ci` runs it
 * (package.json `prepare`), and so does the test suite's global setup, so the CLI the tests spawn is the code
 * under test.
 *
 * One ES module per command (code splitting): a command loads only its own code. Packages stay in node_modules
 * (external), except JSON files, which Node 20 would refuse to import without an import attribute.
 *
 * The output lives two folders below the repository (dist/cli/*.js), like the sources it comes from
 * (rehearsal/runner/*.ts, lib/report/*.ts), so paths that modules resolve from their own location (the state
 * machine definitions in statemachines/) stay the same.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
export const CLI_OUT_DIR = fileURLToPath(new URL('../dist/cli/', import.meta.url));

// A bare specifier (a package) stays an import from node_modules, unless it names a JSON file.
const packagesExternal: Plugin = {
  name: 'packages-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.endsWith('.json') || args.path.startsWith('node:') ? undefined : { path: args.path, external: true }));
  },
};

export async function buildCli(): Promise<void> {
  rmSync(CLI_OUT_DIR, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { cli: 'bin/cli.ts' },
    outdir: CLI_OUT_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [packagesExternal],
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
