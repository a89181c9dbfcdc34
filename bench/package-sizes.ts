import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One function's deployment package as `npm run package` (serverless-esbuild, individually) zips it. */
export interface PackageSize {
  readonly name: string;
  readonly kib: number;
}

/**
 * The zipped size of every function package in .serverless/ (what Lambda loads on a cold start). The benchmark
 * does not build them: `npm run package` does, in a few seconds; without it the list is empty and maxKiB null.
 */
export function readPackageSizes(dir = fileURLToPath(new URL('../.serverless/', import.meta.url))): { functions: PackageSize[]; maxKiB: number | null } {
  if (!existsSync(dir)) return { functions: [], maxKiB: null };
  const functions = readdirSync(dir)
    .filter((f) => f.endsWith('.zip'))
    .map((f) => ({ name: f.replace(/\.zip$/, ''), kib: Math.round(statSync(`${dir}${f}`).size / 1024) }))
    .sort((a, b) => b.kib - a.kib);
  return { functions, maxKiB: functions.length ? Math.max(...functions.map((f) => f.kib)) : null };
}
