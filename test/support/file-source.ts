/**
 * Driving a `FileSource` in tests as the pipeline does: every chunk it emits is kept and committed at
 * once (positions in emit order).
 */
import type { SourceRecord } from '../../processor/pipeline/types.js';
import type { FileSource } from '../../processor/sources/file-source.js';

/** Starts `source`; the returned array fills with every record it emits (each chunk committed as it comes). */
export async function collect(source: FileSource): Promise<SourceRecord[]> {
  const records: SourceRecord[] = [];
  await source.start(async (b) => {
    records.push(...b.records);
    await source.commit(b.records.map((r) => r.position));
  });
  return records;
}

/**
 * Waits until `records` holds at least `n` records, polling every 50 ms, at most `ms`. Does not throw
 * on time-out: the test's own assertions on the records say what was missing.
 */
export async function untilRecords(records: readonly unknown[], n: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (records.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}
