import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import GithubSlugger from 'github-slugger';
import { Lexer, marked, type Token } from 'marked';
import { describe, expect, it } from 'vitest';

// Every reference inside the repository must resolve: a relative markdown link to a file that exists and, when it
// names one, to a heading of that file (GitHub's anchor for it); and every `docs/….md#anchor` a comment cites.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Tracked files (a fresh clone has exactly these), repository-relative with forward slashes. */
const tracked = (...patterns: string[]): string[] =>
  execFileSync('git', ['ls-files', '-z', '--', ...patterns], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);

const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

const anchorCache = new Map<string, Set<string>>();

/** The anchors GitHub gives a markdown file: one per heading (duplicates numbered), plus explicit HTML ids. */
function anchorsOf(file: string): Set<string> {
  const cached = anchorCache.get(file);
  if (cached) return cached;
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  marked.walkTokens(new Lexer().lex(read(file)), (token) => {
    if (token.type === 'heading') anchors.add(slugger.slug(headingText(token.tokens ?? [])));
    if (token.type === 'html') for (const m of token.raw.matchAll(/\b(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  });
  anchorCache.set(file, anchors);
  return anchors;
}

/** A heading's text as GitHub slugs it: the visible text, without markup. */
function headingText(tokens: readonly Token[]): string {
  return tokens
    .map((t) => ('tokens' in t && t.tokens ? headingText(t.tokens) : 'text' in t && typeof t.text === 'string' ? t.text : t.raw))
    .join('');
}

interface Reference {
  readonly from: string;
  readonly target: string;
}

/** What is wrong with one reference to `path#anchor` (repository-relative), or undefined when it resolves. */
function problemWith(path: string, anchor: string | undefined): string | undefined {
  if (!existsSync(join(ROOT, path))) return `no file ${path}`;
  if (anchor === undefined || anchor === '') return undefined;
  if (!path.endsWith('.md')) return `an anchor into ${path}, which is not markdown`;
  return anchorsOf(path).has(anchor) ? undefined : `no heading #${anchor} in ${path}`;
}

/** The relative links and images of a markdown file (code spans and fenced code are not links). */
function linksOf(file: string): Reference[] {
  const links: Reference[] = [];
  marked.walkTokens(new Lexer().lex(read(file)), (token) => {
    if (token.type === 'link' || token.type === 'image') links.push({ from: file, target: token.href });
  });
  return links;
}

const isExternal = (href: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(href);

function brokenLinks(files: readonly string[]): string[] {
  return files.flatMap((file) =>
    linksOf(file)
      .filter((link) => !isExternal(link.target))
      .flatMap((link) => {
        const [pathPart = '', anchor] = link.target.split('#', 2) as [string, string | undefined];
        const path = pathPart === '' ? file : posix.normalize(posix.join(posix.dirname(file), decodeURIComponent(pathPart)));
        const problem = problemWith(path, anchor === undefined ? undefined : decodeURIComponent(anchor));
        return problem ? [`${file}: (${link.target}) ${problem}`] : [];
      }),
  );
}

describe('references inside the repository resolve', () => {
  const markdown = tracked('*.md');

  it('reads the README and the docs', () => {
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'docs/eks-behaviour.md']));
    // A known anchor resolves and a made-up one does not: the check can fail.
    expect(problemWith('docs/eks-behaviour.md', 'the-one-minor-rule')).toBeUndefined();
    expect(problemWith('docs/eks-behaviour.md', 'no-such-heading')).toMatch(/no heading/);
  });

  it('every relative link and #anchor in the markdown files names a file and heading that exist', () => {
    expect(brokenLinks(markdown)).toEqual([]);
  });

  it('every docs/….md#anchor cited in code, configuration and tests exists', () => {
    const sources = tracked('*.ts', '*.js', '*.yml', '*.yaml', '*.json').filter((f) => f !== 'package-lock.json');
    const citation = /(?<![\w/.-])docs\/([\w.-]+\.md)(?:#([\w-]+))?/g;
    const broken = sources.flatMap((file) =>
      [...read(file).matchAll(citation)].flatMap((m) => {
        const problem = problemWith(`docs/${m[1]!}`, m[2]);
        return problem ? [`${file}: ${m[0]} ${problem}`] : [];
      }),
    );
    expect(broken).toEqual([]);
  });
});
