import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The folder graph of the repository, read from the sources with the TypeScript compiler's own import scanner (so
// `import type`, `export … from` and dynamic `import()` all count). lib/ is the library: it must not import an
// application (the Lambda handlers in functions/, the EKS simulator in sim/, the CLI in bin/, or the rehearsal in
// rehearsal/), and its folders must not import each other in a cycle.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every .ts file under `dir`, as a repository-relative path with forward slashes. */
function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourcesUnder(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The repository files a source imports (relative specifiers only; packages are not part of the folder graph). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative(ROOT, resolve(ROOT, dirname(file), spec)).split(sep).join('/').replace(/\.js$/, '.ts'));
}

interface Edge {
  readonly from: string;
  readonly to: string;
}

const edgesOf = (dirs: readonly string[]): Edge[] =>
  dirs.flatMap((dir) => sourcesUnder(dir)).flatMap((from) => importsOf(from).map((to) => ({ from, to })));

const under = (path: string, dir: string): boolean => path.startsWith(`${dir}/`);

/** The rehearsal: an application that composes handlers, the simulator and dynalite. */
const REHEARSAL = 'rehearsal';
const APPLICATIONS = ['functions', 'sim', 'bin', REHEARSAL] as const;

const libToApplication = (edges: readonly Edge[]): string[] =>
  edges
    .filter((e) => under(e.from, 'lib'))
    .filter((e) => APPLICATIONS.some((app) => under(e.to, app)))
    .map((e) => `${e.from} -> ${e.to}`);

/**
 * The folder of a lib/ file: `lib/store/x.ts` → `lib/store`. A file directly in lib/ (errors.ts, config.ts) is a
 * node of its own: they are separate concepts, not one folder.
 */
const folderOf = (file: string): string => (dirname(file) === 'lib' ? file : dirname(file));

/** Strongly connected components of more than one folder (Tarjan): each is a cycle between folders. */
function folderCycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const a = folderOf(from);
    const b = folderOf(to);
    if (a === b) continue;
    if (!next.has(a)) next.set(a, new Set());
    if (!next.has(b)) next.set(b, new Set());
    next.get(a)?.add(b);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** For a failure message: the file-level imports that make up a cycle between the given folders. */
const edgesWithin = (edges: readonly Edge[], folders: readonly string[]): string[] =>
  edges.filter((e) => folderOf(e.from) !== folderOf(e.to) && folders.includes(folderOf(e.from)) && folders.includes(folderOf(e.to))).map((e) => `${e.from} -> ${e.to}`);

describe('the folder graph', () => {
  const libEdges = edgesOf(['lib']);

  it('reads imports, including type-only ones (the scanner itself is checked)', () => {
    expect(libEdges.length).toBeGreaterThan(100);
    expect(libEdges).toContainEqual({ from: 'lib/report/report-html.ts', to: 'lib/report/run-report.ts' });
    expect(folderCycles([{ from: 'lib/a/x.ts', to: 'lib/b/y.ts' }, { from: 'lib/b/y.ts', to: 'lib/a/z.ts' }])).toEqual([['lib/a', 'lib/b']]);
    expect(libToApplication([{ from: 'lib/plan/x.ts', to: 'sim/server.ts' }, { from: 'rehearsal/r.ts', to: 'sim/server.ts' }, { from: 'lib/plan/x.ts', to: 'rehearsal/r.ts' }])).toEqual(['lib/plan/x.ts -> sim/server.ts', 'lib/plan/x.ts -> rehearsal/r.ts']);
  });

  it('lib/ imports no application (functions/, sim/, bin/, the rehearsal)', () => {
    expect(libToApplication(libEdges)).toEqual([]);
  });

  it('the folders of lib/ import each other without a cycle', () => {
    const cycles = folderCycles(libEdges).map((folders) => ({ folders, imports: edgesWithin(libEdges, folders) }));
    expect(cycles).toEqual([]);
  });

  it('lib/migration/ is rules without I/O: no AWS SDK, no EKS or Kubernetes adapter', () => {
    const io = sourcesUnder('lib/migration').filter((file) => {
      const scanned = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true).importedFiles.map((f) => f.fileName);
      return scanned.some((spec) => spec.startsWith('@aws-sdk/') || spec.startsWith('node:http')) || importsOf(file).some((to) => under(to, 'lib/aws') || under(to, 'lib/kubernetes'));
    });
    expect(io).toEqual([]);
  });

  it('the Lambda handlers import no other application', () => {
    const found = edgesOf(['functions']).filter((e) => ['sim', 'bin', REHEARSAL].some((app) => under(e.to, app)));
    expect(found.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('the simulator imports no other application', () => {
    const found = edgesOf(['sim']).filter((e) => ['functions', 'bin', REHEARSAL].some((app) => under(e.to, app)));
    expect(found.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('the production plan command imports no simulator code', () => {
    const found = edgesOf(['bin']).filter((e) => e.from === 'bin/actions/plan.ts' && under(e.to, 'sim'));
    expect(found.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('the CLI does not import the Lambda handlers (it runs them only through the rehearsal)', () => {
    const found = edgesOf(['bin']).filter((e) => under(e.to, 'functions'));
    expect(found.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });
});
