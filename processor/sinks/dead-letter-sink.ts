import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { DeadLetter } from '../pipeline/types.js';
import { documentId } from '../pipeline/document-id.js';

/**
 * One line of the dead-letter file. `id` is the `_id` the record would have had, so a reader can
 * drop the rare repeat written when a crash replays a batch (the file is at-least-once, like the source),
 * and `--replay-dead-letters` indexes it under that same `_id`. `input` and `namespace` were added later:
 * files written before lack them (replay then goes by `dataset` and the configured namespace).
 */
export interface DeadLetterEntry {
  '@timestamp': string;
  id: string;
  dataset: string;
  /** Id of the input the record was read through (absent for Kafka records). */
  input?: string;
  /** Data stream namespace the record was meant for. */
  namespace?: string;
  stage: DeadLetter['stage'];
  reason: string;
  /** The raw text; for a record over the maximum record size only its first bytes (see `originalBytes`). */
  raw: string;
  /** Full length in bytes of a record that was cut at the maximum record size. */
  originalBytes?: number;
  position: DeadLetter['record']['position'];
}

/**
 * Appends dead letters as NDJSON to one file and fsyncs before `write` resolves, so a checkpoint that
 * follows never moves past a rejected record that is not on disk.
 */
export class DeadLetterFile {
  private handle: FileHandle | undefined;

  /** @param namespace written into each entry (see `DeadLetterEntry.namespace`). */
  constructor(
    readonly filePath: string,
    private readonly namespace?: string,
  ) {}

  /**
   * Appends the entries and fsyncs. Resolves with the number written.
   * @throws the file system error when the file cannot be opened or written.
   */
  async write(letters: DeadLetter[], now = new Date()): Promise<number> {
    if (letters.length === 0) return 0;
    if (!this.handle) {
      await mkdir(path.dirname(this.filePath), { recursive: true });
      this.handle = await open(this.filePath, 'a');
    }
    const text = letters
      .map((l) => {
        const entry: DeadLetterEntry = {
          '@timestamp': now.toISOString(),
          id: l.record.id ?? documentId(l.record),
          dataset: l.record.dataset,
          ...(l.record.input !== undefined ? { input: l.record.input } : {}),
          ...(this.namespace !== undefined ? { namespace: this.namespace } : {}),
          stage: l.stage,
          reason: l.reason,
          raw: l.record.raw,
          ...(l.record.originalBytes !== undefined ? { originalBytes: l.record.originalBytes } : {}),
          position: l.record.position,
        };
        return JSON.stringify(entry);
      })
      .join('\n');
    await this.handle.appendFile(text + '\n');
    await this.handle.sync();
    return letters.length;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}
