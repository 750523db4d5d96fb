/**
 * Every relative link in the repository's tracked Markdown files points at a file that exists, and an
 * `#anchor` names a heading of the target (GitHub's slugs). External links (`http(s):`, `mailto:`, any
 * other scheme) are not checked. Links inside fenced code blocks and inline code spans are not links.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** GitHub's heading slug: lower case, punctuation dropped except `-` and `_`, each space → `-`. */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Text of a heading as GitHub renders it: links and images reduced to their text, HTML tags and emphasis markers dropped. */
function headingText(raw: string): string {
  return raw
    .replace(/\s+#+\s*$/, '') // closing hashes of an ATX heading
    .replace(/!?\[((?:[^[\]]|\[[^[\]]*\])*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|\W)[*_](\S(?:.*?\S)?)[*_](?=\W|$)/g, '$1$2');
}

/** Lines of a Markdown text with fenced code blocks blanked out (so their lines keep their numbers). */
function withoutFences(markdown: string): string[] {
  const lines = markdown.split('\n');
  let fence: string | undefined;
  return lines.map((line) => {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (m && m[1]![0] === fence[0] && m[1]!.length >= fence.length && line.trim() === m[1]) fence = undefined;
      return '';
    }
    if (m) {
      fence = m[1];
      return '';
    }
    return line;
  });
}

/** The anchors a Markdown file offers: heading slugs (duplicates numbered -1, -2 …) and explicit `id`/`name` attributes. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const lines = withoutFences(markdown);
  lines.forEach((line, i) => {
    let text: string | undefined;
    const atx = /^ {0,3}#{1,6}(?:\s+(.*))?$/.exec(line);
    if (atx) text = atx[1] ?? '';
    else if (i > 0 && /^ {0,3}(=+|-+)\s*$/.test(line) && lines[i - 1]!.trim() !== '' && !/^ {0,3}([-*+]|\d+[.)])\s/.test(lines[i - 1]!)) {
      text = lines[i - 1]; // setext heading (a `---` under a paragraph line)
    }
    if (text !== undefined) {
      const base = githubSlug(headingText(text));
      const n = seen.get(base);
      anchors.add(n === undefined ? base : `${base}-${n}`);
      seen.set(base, (n ?? 0) + 1);
    }
    for (const m of line.matchAll(/<[a-z][^>]*\s(?:id|name)\s*=\s*["']([^"']+)["']/gi)) anchors.add(m[1]!);
  });
  return anchors;
}

export interface MarkdownLink {
  line: number;
  text: string;
  target: string;
}

/** Inline links and images `[text](target "title")` and reference definitions `[label]: target`, outside code. */
export function extractLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  withoutFences(markdown).forEach((raw, i) => {
    const line = raw.replace(/(`+)(?:(?!\1).)+?\1/g, (s) => ' '.repeat(s.length)); // inline code spans
    const inline = /!?\[((?:[^[\]]|\[[^[\]]*\])*)\]\(\s*(<[^>]*>|(?:[^\s()]|\([^\s()]*\))+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
    for (const m of line.matchAll(inline)) {
      links.push({ line: i + 1, text: m[1]!, target: m[2]!.replace(/^<|>$/g, '') });
    }
    const ref = /^ {0,3}\[([^\]]+)\]:\s*(<[^>]*>|\S+)/.exec(line);
    if (ref) links.push({ line: i + 1, text: ref[1]!, target: ref[2]!.replace(/^<|>$/g, '') });
  });
  return links;
}

/** Whether a link leaves the repository (any URL scheme, or protocol-relative). */
function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/**
 * Problems of the relative links of one Markdown file: a missing target file, or an anchor that no
 * heading of the target Markdown file has. `readFile`/`exists` are injectable for the unit checks.
 */
export function brokenLinks(
  file: string,
  markdown: string,
  io: { exists(p: string): boolean; read(p: string): string; isDir(p: string): boolean },
): string[] {
  const problems: string[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchorsFor = (p: string): Set<string> => {
    let a = anchorCache.get(p);
    if (!a) anchorCache.set(p, (a = anchorsOf(p === file ? markdown : io.read(p))));
    return a;
  };
  for (const link of extractLinks(markdown)) {
    if (isExternal(link.target)) continue;
    const hash = link.target.indexOf('#');
    const rawPath = hash === -1 ? link.target : link.target.slice(0, hash);
    const anchor = hash === -1 ? undefined : link.target.slice(hash + 1);
    let decoded: string;
    try {
      decoded = decodeURIComponent(rawPath.split('?')[0]!);
    } catch {
      problems.push(`${file}:${link.line}: [${link.text}](${link.target}): bad percent-encoding`);
      continue;
    }
    const target = decoded === '' ? file : decoded.startsWith('/') ? decoded.slice(1) : path.posix.join(path.posix.dirname(file), decoded);
    if (!io.exists(target)) {
      problems.push(`${file}:${link.line}: [${link.text}](${link.target}): ${target} does not exist`);
      continue;
    }
    if (anchor === undefined || anchor === '' || !/\.md$/i.test(target) || io.isDir(target)) continue;
    if (!anchorsFor(target).has(decodeURIComponent(anchor).toLowerCase())) {
      problems.push(`${file}:${link.line}: [${link.text}](${link.target}): no heading #${anchor} in ${target}`);
    }
  }
  return problems;
}

describe('githubSlug', () => {
  it('follows GitHub: lower case, punctuation dropped except - and _, spaces to -', () => {
    expect(githubSlug('Failure behaviour')).toBe('failure-behaviour');
    expect(githubSlug('Live dashboard: `npm run dashboard`')).toBe('live-dashboard-npm-run-dashboard');
    expect(githubSlug('A secured cluster: `--es-ca`, `--es-api-key`, `--es-username`/`--es-password`')).toBe(
      'a-secured-cluster---es-ca---es-api-key---es-username--es-password',
    );
    expect(githubSlug('Parquet and SQL over the archive: `npm run archive:compact`, `npm run sql`')).toBe(
      'parquet-and-sql-over-the-archive-npm-run-archivecompact-npm-run-sql',
    );
    expect(githubSlug('Figures at 07:19 UTC (2026-11-30: re-timed input)')).toBe('figures-at-0719-utc-2026-11-30-re-timed-input');
    expect(githubSlug('snake_case & µs → ok')).toBe('snake_case--µs--ok');
  });

  it('numbers duplicate headings and ignores headings inside code fences', () => {
    const md = '# Intro\n\n## Setup\n\n```sh\n# Setup\n```\n\n## Setup\n\n### [Linked](x.md) **bold**\n\nTitle\n---\n';
    expect([...anchorsOf(md)]).toEqual(['intro', 'setup', 'setup-1', 'linked-bold', 'title']);
  });
});

describe('extractLinks and brokenLinks on an inline sample', () => {
  const files: Record<string, string> = {
    'docs/a.md': [
      '# Title',
      '',
      'See [b](b.md#second-part), [up](../README.md#usage), [self](#title) and [gone](missing.md).',
      'A [bad anchor](b.md#nope), an image ![pic](../img/p.png), [web](https://example.com/x.md) and [mail](mailto:a@b.c).',
      '`[not a link](nowhere.md)` in code, and',
      '```md',
      '[also not a link](nowhere.md)',
      '```',
      '[ref]: b.md#first',
    ].join('\n'),
    'docs/b.md': '# First\n\n## Second part\n',
    'README.md': '# Project\n\n## Usage\n',
    'img/p.png': '',
  };
  const io = {
    exists: (p: string) => p in files || p === 'img',
    read: (p: string) => files[p]!,
    isDir: (p: string) => p === 'img',
  };

  it('finds inline links, images and reference definitions, not code', () => {
    expect(extractLinks(files['docs/a.md']!).map((l) => l.target)).toEqual([
      'b.md#second-part',
      '../README.md#usage',
      '#title',
      'missing.md',
      'b.md#nope',
      '../img/p.png',
      'https://example.com/x.md',
      'mailto:a@b.c',
      'b.md#first',
    ]);
  });

  it('reports exactly the missing file and the missing anchor', () => {
    expect(brokenLinks('docs/a.md', files['docs/a.md']!, io)).toEqual([
      'docs/a.md:3: [gone](missing.md): docs/missing.md does not exist',
      'docs/a.md:4: [bad anchor](b.md#nope): no heading #nope in docs/b.md',
    ]);
  });
});

describe('relative links in the tracked Markdown files', () => {
  const tracked = execFileSync('git', ['ls-files', '-z', '--', '*.md'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f !== '' && !f.split('/').includes('node_modules') && existsSync(path.join(repoRoot, f)));
  const io = {
    exists: (p: string) => existsSync(path.join(repoRoot, p)),
    read: (p: string) => readFileSync(path.join(repoRoot, p), 'utf8'),
    isDir: (p: string) => statSync(path.join(repoRoot, p)).isDirectory(),
  };

  it('finds the Markdown files', () => {
    expect(tracked).toContain('README.md');
  });

  it.each(tracked)('%s', (file) => {
    expect(brokenLinks(file, io.read(file), io)).toEqual([]);
  });
});
