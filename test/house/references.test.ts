import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Nothing in the repository may point at what a clone does not have (the patterns and examples below are spelled
// so that they do not match themselves): the research notes, seed pages and style guide
// the project started from, or our tracker's issue numbers. What the code relies on is in docs/ (cited as
// docs/….md#anchor, checked by test/docs/links.test.ts); public addresses such as aws/amazon-vpc-cni-k8s#2173 stay.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SELF = 'test/house/references.test.ts';

/** Pointers outside the repository, each with what it looked like. */
const OUT_OF_REPO: readonly { readonly kind: string; readonly pattern: RegExp }[] = [
  { kind: 'a section of the research notes', pattern: /(?:facts|peers) \u00a7|\u00a7\s?\d/ },
  { kind: 'a path into the shared research folder', pattern: /shared\// },
  { kind: 'the style guide', pattern: /style\.md/ },
  { kind: 'a seed page', pattern: /[(]seed\s0|\bseeds?[ /]0\d\d|seeds\// },
  { kind: "an issue of our tracker (upstream ones are written owner/repo#N)", pattern: /(?<![\w/-])issue #\d/i },
  { kind: 'the toolchain notes outside docs/', pattern: /(?<![\w/])toolchain\.md/ },
];

/** Tracked files (what a clone has), without the lock file (package metadata only) and this test. */
const trackedFiles = (): string[] =>
  execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '' && file !== 'package-lock.json' && file !== SELF);

/** Every line of `text` that matches one of the patterns, as `file:line: kind: text`. */
export function outOfRepoPointers(file: string, text: string): string[] {
  // docs/toolchain.md links to itself as toolchain.md from inside docs/, which resolves.
  const patterns = file.startsWith('docs/') ? OUT_OF_REPO.filter((p) => p.kind !== 'the toolchain notes outside docs/') : OUT_OF_REPO;
  return text.split('\n').flatMap((line, i) =>
    patterns.filter(({ pattern }) => pattern.test(line)).map(({ kind }) => `${file}:${i + 1}: ${kind}: ${line.trim().slice(0, 120)}`),
  );
}

describe('no reference points outside the repository', () => {
  it('recognises each kind of pointer, and leaves public and in-repository ones alone', () => {
    const found = (line: string): number => outOfRepoPointers('lib/x.ts', line).length;
    expect(found('// the one-minor rule (facts \u00a77.1)')).toBe(1);
    expect(found('// see \u00a77.4 above')).toBe(1);
    expect(found(`// (${'shared'}/facts/eks-api.md)`)).toBe(1);
    expect(found(`// thin handlers (${'style'}.md \u00a72)`)).toBe(2);
    expect(found(`// the v1.7 gate (${'seeds'}/002)`)).toBe(1);
    expect(found('// the image tag, as seed 000 reads it')).toBe(1);
    expect(found(`// the image tag ${'(seed'} 000)`)).toBe(1);
    expect(found(`// ${'issue'} #6: the DaemonSet is read through the Kubernetes API`)).toBe(1);
    expect(found('// (toolchain.md, Pitfalls)')).toBe(1);
    expect(found('// verbatim format from aws/amazon-vpc-cni-k8s#2173; aws/aws-cli#10252')).toBe(0);
    expect(found('// (docs/toolchain.md#dynalite; docs/eks-behaviour.md#the-one-minor-rule)')).toBe(0);
    expect(outOfRepoPointers('docs/operator.md', '[toolchain](toolchain.md#dynalite)')).toEqual([]);
  });

  it('no tracked file cites the research notes, seeds, style guide or our tracker', () => {
    const files = trackedFiles();
    expect(files).toEqual(expect.arrayContaining(['README.md', 'serverless.yml', 'lib/errors.ts']));
    expect(files.flatMap((file) => outOfRepoPointers(file, readFileSync(join(ROOT, file), 'utf8')))).toEqual([]);
  });
});
