/**
 * Which files an input's paths, directories, globs and excludes select (PathSelector), and the file
 * source reading a tree with them: recursive directories, `**` globs, hidden files, excludes, paths
 * that match nothing (`unmatchedPaths`), `ignoreOlderMs` and `startAt: 'end'`.
 */
import { appendFileSync, mkdirSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import pino from 'pino';
import type { InputSettings } from '../../processor/inputs/settings.js';
import { FileSource } from '../../processor/sources/file-source.js';
import { PathSelector } from '../../processor/sources/file-paths.js';
import { tempDir } from '../support/stack.js';
import { collect, untilRecords } from '../support/file-source.js';

/** A pino logger that keeps its entries. */
function memoryLog(): { log: pino.Logger; entries: Record<string, unknown>[] } {
  const entries: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void entries.push(JSON.parse(s)) });
  return { log, entries };
}

/** Reads `input` once (`--once`), committing each chunk as it comes; returns the records and the source. */
async function readOnce(input: Partial<InputSettings> & { paths: string[] }, dataDir = tempDir('fp-data')) {
  const { log, entries } = memoryLog();
  const source = new FileSource({
    input: { id: 'in-1', dataset: 'weblogs', ...input },
    checkpointFile: path.join(dataDir, 'cp.json'),
    once: true,
    log,
  });
  const records = await collect(source);
  await source.drained();
  await source.stop();
  await source.close();
  return { records, source, entries };
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** An nginx-like tree: rotated files, a vhost per subfolder, a hidden staging file, an unrelated file. */
function nginxTree(): string {
  const root = tempDir('fp-tree');
  write(path.join(root, 'access.log'), 'a0\na1\n');
  write(path.join(root, 'access.log.1'), 'b0\n');
  write(path.join(root, 'error.log'), 'e0\n');
  write(path.join(root, 'shop', 'access.log'), 's0\ns1\n');
  write(path.join(root, 'shop', 'deep', 'access.log'), 'd0\n');
  write(path.join(root, '.staging', 'access.log'), 'h0\n');
  write(path.join(root, '.access.log.swp'), 'x\n');
  write(path.join(root, 'old', 'access.log'), 'o0\n');
  return root;
}

describe('PathSelector', () => {
  it('selects by glob, with braces, character classes and recursive **, without hidden names', () => {
    const root = nginxTree();
    const sel = new PathSelector([`${root}/**/access.log*`]);
    expect(sel.bases()).toEqual([root]);
    expect(sel.selects(`${root}/access.log`)).toBe(true);
    expect(sel.selects(`${root}/access.log.2.gz`)).toBe(true);
    expect(sel.selects(`${root}/shop/deep/access.log`)).toBe(true);
    expect(sel.selects(`${root}/error.log`)).toBe(false);
    expect(sel.selects(`${root}/.staging/access.log`)).toBe(false);
    const braces = new PathSelector([`${root}/{shop,old}/acc?ss.[l]og`]);
    expect(braces.selects(`${root}/shop/access.log`)).toBe(true);
    expect(braces.selects(`${root}/old/access.log`)).toBe(true);
    expect(braces.selects(`${root}/access.log`)).toBe(false);
  });

  it('a directory selects every non-hidden file under it; a file only itself, hidden or not', () => {
    const root = nginxTree();
    const dir = new PathSelector([root]);
    expect(dir.selects(`${root}/shop/deep/access.log`)).toBe(true);
    expect(dir.selects(`${root}/.access.log.swp`)).toBe(false);
    expect(dir.selects(`${root}/.staging/access.log`)).toBe(false);
    const file = new PathSelector([`${root}/.access.log.swp`]);
    expect(file.selects(`${root}/.access.log.swp`)).toBe(true);
    expect(file.selects(`${root}/access.log`)).toBe(false);
  });

  it('excludes by name glob, path glob, plain path, and the internal paths', () => {
    const root = nginxTree();
    const sel = new PathSelector([root], ['*.1', `${root}/old/**`, `${root}/shop/deep`], [`${root}/error.log`]);
    expect(sel.selects(`${root}/access.log`)).toBe(true);
    expect(sel.selects(`${root}/access.log.1`)).toBe(false);
    expect(sel.selects(`${root}/old/access.log`)).toBe(false);
    expect(sel.selects(`${root}/shop/deep/access.log`)).toBe(false);
    expect(sel.selects(`${root}/shop/access.log`)).toBe(true);
    expect(sel.selects(`${root}/error.log`)).toBe(false);
  });

  it('tells the watcher which paths it may skip', () => {
    const root = nginxTree();
    const sel = new PathSelector([`${root}/shop/**/*.log`]);
    expect(sel.shouldIgnore(root)).toBe(false); // a parent of the base
    expect(sel.shouldIgnore(`${root}/shop/deep`, true)).toBe(false);
    expect(sel.shouldIgnore(`${root}/shop/deep/x.txt`, false)).toBe(true);
    expect(sel.shouldIgnore(`${root}/access.log`, false)).toBe(true); // outside the base
    expect(sel.shouldIgnore(`${root}/shop/.git`, true)).toBe(true);
  });
});

describe('FileSource paths', () => {
  it('reads a tree through one glob: every selected file once, with dataset and input on each record', async () => {
    const root = nginxTree();
    const { records, source } = await readOnce({ paths: [`${root}/**/access.log*`], exclude: [`${root}/old`] });
    expect(records.map((r) => r.raw).sort()).toEqual(['a0', 'a1', 'b0', 'd0', 's0', 's1']);
    expect(records.every((r) => r.dataset === 'weblogs' && r.input === 'in-1')).toBe(true);
    expect(source.unmatchedPaths()).toEqual([]);
    expect(source.fileCount()).toBe(4);
  });

  it('reads a directory recursively, hidden files left out', async () => {
    const root = nginxTree();
    const { records } = await readOnce({ paths: [root] });
    expect(records.map((r) => r.raw).sort()).toEqual(['a0', 'a1', 'b0', 'd0', 'e0', 'o0', 's0', 's1']);
  });

  it('names the paths and globs that match nothing, with a warning, and goes on', async () => {
    const root = nginxTree();
    const missing = path.join(root, 'nowhere', '*.log');
    const { records, source, entries } = await readOnce({ paths: [`${root}/error.log`, missing, `${root}/*.gz`] });
    expect(records.map((r) => r.raw)).toEqual(['e0']);
    expect(source.unmatchedPaths()).toEqual([missing, `${root}/*.gz`]);
    const warned = entries.filter((e) => e.level === 40).map((e) => e.path);
    expect(warned).toEqual([missing, `${root}/*.gz`]);
  });

  it('picks up files that appear later under a glob, also in a directory created later (live)', async () => {
    const root = tempDir('fp-live');
    const { log } = memoryLog();
    const source = new FileSource({
      input: { id: 'live', dataset: 'weblogs', paths: [`${root}/**/*.log`, `${root}/later/x/*.log`] },
      checkpointFile: path.join(tempDir('fp-data'), 'cp.json'),
      once: false,
      rescanMs: 100,
      log,
    });
    const records = await collect(source);
    try {
      expect(source.unmatchedPaths().length).toBe(2);
      write(path.join(root, 'vhost', 'a.log'), 'one\n');
      write(path.join(root, 'later', 'x', 'b.log'), 'two\n');
      write(path.join(root, 'vhost', 'a.txt'), 'not this\n');
      await untilRecords(records, 2, 10_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(records.map((r) => r.raw).sort()).toEqual(['one', 'two']);
      expect(source.unmatchedPaths()).toEqual([]);
    } finally {
      await source.stop();
      await source.close();
    }
  });

  it('a file given by its path and rotated to a name not selected is read to its end under the new name (live)', async () => {
    const root = tempDir('fp-renamed');
    const file = path.join(root, 'access.log');
    write(file, 'l1\nl2\n');
    const { log } = memoryLog();
    const source = new FileSource({
      input: { id: 'one', dataset: 'weblogs', paths: [file] },
      checkpointFile: path.join(tempDir('fp-data'), 'cp.json'),
      once: false,
      rescanMs: 100,
      log,
    });
    const records = await collect(source);
    const waitFor = async (n: number): Promise<void> => {
      await untilRecords(records, n, 10_000);
    };
    try {
      await waitFor(2);
      // Written just before logrotate renames it, and by the writer before it reopens: not read yet.
      appendFileSync(file, 'l3\n');
      renameSync(file, `${file}.1`);
      appendFileSync(`${file}.1`, 'l4 late\n');
      write(file, 'n1\n');
      await waitFor(4);
      appendFileSync(file, 'n2\n');
      await waitFor(5);
      await new Promise((r) => setTimeout(r, 500));
      expect(records.map((r) => r.raw).sort()).toEqual(['l1', 'l2', 'l3', 'l4 late', 'n1', 'n2']);
    } finally {
      await source.stop();
      await source.close();
    }
  });

  it('ignoreOlderMs: files not modified within it are not read', async () => {
    const root = tempDir('fp-old');
    write(path.join(root, 'new.log'), 'new\n');
    write(path.join(root, 'old.log'), 'old\n');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(path.join(root, 'old.log'), twoHoursAgo, twoHoursAgo);
    const { records, entries } = await readOnce({ paths: [root], ignoreOlderMs: 3600_000 });
    expect(records.map((r) => r.raw)).toEqual(['new']);
    expect(entries.some((e) => e.files === 1 && e.level === 30 && String(e.msg).includes('ignore_older'))).toBe(true);
  });

  it("startAt 'end': files there at start are read from their end (a partial last line whole), later ones from 0", async () => {
    const root = tempDir('fp-end');
    write(path.join(root, 'a.log'), 'old1\nold2\npart');
    const { log } = memoryLog();
    const cp = path.join(tempDir('fp-data'), 'cp.json');
    const source = new FileSource({ input: { id: 'e', dataset: 'weblogs', paths: [root], startAt: 'end' }, checkpointFile: cp, once: false, rescanMs: 100, log });
    const records = await collect(source);
    try {
      await new Promise((r) => setTimeout(r, 300));
      writeFileSync(path.join(root, 'a.log'), 'old1\nold2\npartial\nnew\n');
      write(path.join(root, 'b.log'), 'b1\nb2\n');
      await untilRecords(records, 4, 10_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(records.map((r) => r.raw).sort()).toEqual(['b1', 'b2', 'new', 'partial']);
      expect(records.find((r) => r.raw === 'partial')!.position).toMatchObject({ offset: 10 });
    } finally {
      await source.stop();
      await source.close();
    }
  });
});
