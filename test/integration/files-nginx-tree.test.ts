/**
 * A folder laid out like a real /var/log/nginx, read with one glob (`--once`): the live file, rotated
 * plain and compressed generations (one caught mid-compression, present both plain and as .gz), a
 * subfolder per vhost with its own rotated logs, a zstd-compressed generation (not readable: skipped
 * with one warning, no dead letters), an error log and a hidden folder the glob does not select.
 * Every selected line is indexed once; a second run reads nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { documentId } from '../../processor/pipeline/document-id.js';
import { startProcessor } from '../../processor/processor.js';
import { countDocs, es, esUrl, idsOf, realAccessLog, tempDir, uniqueNamespace } from '../support/stack.js';

const sample = readFileSync(realAccessLog, 'utf8').split('\n').filter((l) => l !== '');
const chunk = (from: number, n: number): Buffer => Buffer.from(sample.slice(from, from + n).join('\n') + '\n');

/** The `_id`s of the lines of `content` (document-id.ts's rule, computed here from the bytes). */
function idsOfContent(content: Buffer): string[] {
  const ids: string[] = [];
  for (let offset = 0; offset < content.length; ) {
    const next = content.indexOf(10, offset) + 1;
    const fingerprint = createHash('sha1').update(content.subarray(0, Math.min(next, 1024))).digest('hex');
    const raw = content.toString('utf8', offset, next - 1);
    ids.push(documentId({ raw, position: { kind: 'file', path: '', fileId: '', generation: 0, offset, nextOffset: next, fingerprint } }));
    offset = next;
  }
  return ids;
}

function put(file: string, data: Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, data);
}

afterAll(async () => {
  await es.close();
});

describe('an nginx log folder read with one glob', () => {
  it('reads every line once across plain, rotated, compressed and per-vhost files; skips a binary file with a warning', async () => {
    const root = tempDir('nginx-tree');
    const contents = {
      live: chunk(0, 100),
      rotated1: chunk(100, 100),
      rotated2: chunk(200, 100),
      rotated3: chunk(300, 100),
      rotated4: chunk(400, 100),
      shop: chunk(500, 50),
      shop1: chunk(550, 50),
      blog: chunk(600, 50),
    };
    put(path.join(root, 'access.log'), contents.live);
    put(path.join(root, 'access.log.1'), contents.rotated1);
    // Caught mid-compression: gzip has written access.log.2.gz but not yet removed access.log.2.
    put(path.join(root, 'access.log.2'), contents.rotated2);
    put(path.join(root, 'access.log.2.gz'), gzipSync(contents.rotated2));
    put(path.join(root, 'access.log.3.gz'), gzipSync(contents.rotated3));
    put(path.join(root, 'access.log.4.gz'), gzipSync(contents.rotated4));
    put(path.join(root, 'access.log.5.zst'), Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.from(contents.live.subarray(0, 300).map((b) => b ^ 0x5a))]));
    put(path.join(root, 'vhosts', 'shop', 'access.log'), contents.shop);
    put(path.join(root, 'vhosts', 'shop', 'access.log.1.gz'), gzipSync(contents.shop1));
    put(path.join(root, 'vhosts', 'blog', 'access.log'), contents.blog);
    put(path.join(root, 'error.log'), Buffer.from('2026/12/07 10:00:00 [error] 12#12: *1 open() failed\n'));
    put(path.join(root, '.rotate-tmp', 'access.log'), chunk(700, 10));

    const namespace = uniqueNamespace('ngx');
    const index = `logs-weblogs.access-${namespace}`;
    const dataDir = tempDir('nginx-tree-data');
    const run = async () => {
      const logs: { level: number; msg: string; path?: string }[] = [];
      const log = pino({ level: 'info' }, { write: (s: string) => void logs.push(JSON.parse(s)) });
      const handle = await startProcessor({
        inputs: [{ id: 'nginx', dataset: 'weblogs', paths: [`${root}/**/access.log*`] }],
        once: true,
        esUrl,
        namespace,
        dataDir,
        log,
      });
      return { summary: await handle.done, logs, deadLetterFile: handle.deadLetterFile };
    };

    const first = await run();
    const expected = Object.values(contents).flatMap(idsOfContent).sort();
    expect(expected.length).toBe(650);
    expect(first.summary).toMatchObject({ lines: 650, indexed: 650, duplicates: 0, rejected: 0 });
    expect(await countDocs(index)).toBe(650);
    expect(await idsOf(index)).toEqual(expected);
    const skipped = first.logs.filter((l) => l.level === 40 && l.msg.startsWith('skipping '));
    expect(skipped.map((l) => path.basename(l.path!))).toEqual(['access.log.5.zst']);
    expect(!existsSync(first.deadLetterFile) || readFileSync(first.deadLetterFile, 'utf8') === '').toBe(true);

    // Everything is checkpointed, compressed files as complete: a second run reads nothing.
    const second = await run();
    expect(second.summary).toMatchObject({ lines: 0, indexed: 0, duplicates: 0, rejected: 0 });
    expect(await countDocs(index)).toBe(650);
  });
});
