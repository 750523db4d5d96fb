/**
 * Bad input never stops the flow and is never silently dropped: bad lines between good ones leave the
 * good ones indexed and each bad one in the dead-letter file with its stage, reason, raw text and offset.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startProcessor } from '../../processor/processor.js';
import type { DeadLetterEntry } from '../../processor/sinks/dead-letter-sink.js';
import { countDocs, es, esUrl, quietLog, realAccessLog, tempDir, uniqueNamespace } from '../support/stack.js';

afterAll(async () => {
  await es.close();
});

describe('dead letters', () => {
  it('indexes good lines and dead-letters each bad one with a reason', async () => {
    const namespace = uniqueNamespace('dlq');
    const dir = tempDir('dlq-watch');
    const good = readFileSync(realAccessLog, 'utf8').split('\n').slice(0, 300);
    const bad = [
      'garbage that is no log line',
      '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 999 10 "-" "x"',
      '1.2.3.4 - - [31/Feb/2015:99:05:03 +0000] "GET / HTTP/1.1" 200 10 "-" "x"',
    ];
    // Bad lines between good ones: after line 10, 150 and 299.
    const lines = [...good.slice(0, 10), bad[0]!, ...good.slice(10, 150), bad[1]!, ...good.slice(150, 299), bad[2]!, good[299]!];
    const file = path.join(dir, 'mixed.log');
    writeFileSync(file, lines.join('\n') + '\n');

    const handle = await startProcessor({ watch: [dir], once: true, esUrl, namespace, dataDir: tempDir('dlq-data'), log: quietLog });
    const summary = await handle.done;
    expect(summary).toMatchObject({ lines: 303, indexed: 300, rejected: 3, duplicates: 0 });
    expect(await countDocs(`logs-weblogs.access-${namespace}`)).toBe(300);

    const entries = readFileSync(handle.deadLetterFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DeadLetterEntry);
    expect(entries.map((e) => e.raw)).toEqual(bad);
    expect(entries.map((e) => e.stage)).toEqual(['decode', 'validate', 'validate']);
    expect(entries[0]!.reason).toMatch(/not an access-log line/);
    expect(entries[1]!.reason).toMatch(/status code must be 100-599/);
    expect(entries[2]!.reason).toMatch(/unparseable time/);
    const text = readFileSync(file);
    for (const e of entries) {
      expect(e.position.kind).toBe('file');
      if (e.position.kind !== 'file') continue;
      expect(e.position.path).toBe(file);
      // The recorded offset points at the bad line itself in the file.
      expect(text.subarray(e.position.offset, e.position.nextOffset - 1).toString()).toBe(e.raw);
    }
  });
});

describe('own output is never input', () => {
  it('ignores its data directory and subdirectories inside a watched directory', async () => {
    const namespace = uniqueNamespace('self');
    const dir = tempDir('self-watch');
    writeFileSync(path.join(dir, 'a.log'), 'not a log line\n' + readFileSync(realAccessLog, 'utf8').split('\n').slice(0, 5).join('\n') + '\n');
    // Run twice with the data dir inside the watched dir: the second run must find nothing new to read.
    const dataDir = path.join(dir, 'state');
    for (const expected of [{ lines: 6, indexed: 5, rejected: 1 }, { lines: 0, indexed: 0, rejected: 0 }]) {
      const handle = await startProcessor({ watch: [dir], once: true, esUrl, namespace, dataDir, log: quietLog });
      expect(await handle.done).toMatchObject({ files: 1, ...expected });
    }
    expect(readFileSync(path.join(dataDir, 'dead-letters.ndjson'), 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
