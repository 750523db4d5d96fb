/**
 * Multi-line error-log entries through a live processor (the `errorlogs` dataset's `multilineStart`):
 * a PHP fatal error with its stack trace written in pieces across several reads becomes one document,
 * the last entry of the file is emitted after the flush timeout without new lines, and rotation with compression
 * right after reads nothing twice.
 */
import { appendFileSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startProcessor, type ProcessorHandle } from '../../processor/processor.js';
import { allDocuments, countDocs, es, esUrl, quietLog, tempDir, uniqueNamespace, waitFor } from '../support/stack.js';

const entry = (sec: number, text: string): string => `[Mon Dec 07 10:00:${String(sec).padStart(2, '0')}.123456 2026] [php:error] [pid 81${sec}] [client 192.0.2.7:5${sec}] ${text}\n`;
const trace = ['Stack trace:', '#0 /var/www/app/src/Kernel.php(42): App\\Db->connect()', '#1 /var/www/app/public/index.php(7): App\\Kernel->boot()', '#2 {main}', '  thrown in /var/www/app/src/Db.php on line 19'];

let handle: ProcessorHandle | undefined;
afterAll(async () => {
  await handle?.stop();
  await es.close();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('multi-line entries (live)', () => {
  it('joins an entry written in pieces, flushes the last one after the timeout, and reads a compressed rotation once', async () => {
    const namespace = uniqueNamespace('ml');
    const index = `logs-weblogs.error-${namespace}`;
    const dir = tempDir('ml-log');
    const file = path.join(dir, 'error.log');
    writeFileSync(file, entry(1, 'PHP Warning:  Undefined variable $x in /var/www/app/a.php on line 3') + entry(2, "PHP Fatal error:  Uncaught PDOException: could not connect in /var/www/app/src/Db.php:19") + trace[0] + '\n');
    handle = await startProcessor({
      inputs: [{ id: 'php-errors', dataset: 'errorlogs', paths: [`${dir}/error.log*`] }],
      esUrl,
      namespace,
      dataDir: tempDir('ml-data'),
      batchIntervalMs: 200,
      // The pieces of an entry are written 300 ms apart: a flush timeout well above that keeps a loaded
      // machine (two cores shared with Elasticsearch) from cutting the entry between them.
      multilineFlushMs: 3000,
      log: quietLog,
    });
    await waitFor('the first entry', async () => (await countDocs(index)) === 1);
    // The rest of the trace arrives in two writes; the entry must not be cut between them.
    await sleep(300);
    appendFileSync(file, trace.slice(1, 3).join('\n') + '\n');
    await sleep(300);
    appendFileSync(file, trace.slice(3).join('\n') + '\n');
    await waitFor('the second entry, flushed after the flush timeout without new lines', async () => (await countDocs(index)) === 2);
    const docs = await allDocuments<{ message: string; log: { offset: number } }>(index);
    const fatal = docs.find((d) => d.message.includes('Uncaught PDOException'))!;
    expect(fatal.message.split('\n').slice(1)).toEqual(trace);
    expect(fatal.log.offset).toBe(Buffer.byteLength(entry(1, 'PHP Warning:  Undefined variable $x in /var/www/app/a.php on line 3')));

    // One more entry, then logrotate (compress, no delaycompress): the .gz holds what was read already.
    appendFileSync(file, entry(3, 'PHP Notice:  Trying to access array offset on null in /var/www/app/b.php on line 8'));
    await waitFor('the third entry', async () => (await countDocs(index)) === 3);
    renameSync(file, `${file}.1`);
    writeFileSync(file, entry(4, 'PHP Warning:  Division by zero in /var/www/app/c.php on line 2'));
    writeFileSync(`${file}.1.gz`, gzipSync(readFileSync(`${file}.1`)));
    unlinkSync(`${file}.1`);
    await waitFor('the fourth entry', async () => (await countDocs(index)) === 4);
    await sleep(1500);
    const summary = await handle.stop();
    handle = undefined;
    expect(summary).toMatchObject({ indexed: 4, duplicates: 0, rejected: 0 });
    expect(await countDocs(index)).toBe(4);
  });
});
