/**
 * Per-record cost on one core, no I/O: the project's full path (decode, validate, enrich with GeoIP and
 * user agents, `_id`, and the `_bulk` body bytes the sink sends) against a plain baseline — one regex,
 * an ECS-shaped object, a UTC ISO timestamp and `JSON.stringify` — measured in the same process, in
 * alternating rounds so machine noise hits both alike, as CPU seconds (lines per CPU second).
 */
import type { EnrichContext } from '../../processor/datasets/types.js';
import { transformBatch } from '../../processor/pipeline/transform.js';
import type { SourceRecord } from '../../processor/pipeline/types.js';
import { encodeBulkBody } from '../../processor/sinks/elasticsearch-sink.js';

const COMBINED = /^(\S+) (\S+) (\S+) \[([^\]]+)\] "(\S+) (\S+) ([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"/;
const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

/** The baseline for one line: what any Node program that indexes access logs must at least do. */
export function baselineLine(raw: string): string {
  const m = COMBINED.exec(raw);
  if (!m) return '';
  const t = m[4]!;
  const ts = new Date(
    Date.UTC(Number(t.slice(7, 11)), MONTHS[t.slice(3, 6)]!, Number(t.slice(0, 2)), Number(t.slice(12, 14)), Number(t.slice(15, 17)), Number(t.slice(18, 20))),
  );
  return JSON.stringify({
    '@timestamp': ts.toISOString(),
    message: raw,
    source: { address: m[1] },
    http: { request: { method: m[5], referrer: m[10] }, response: { status_code: Number(m[8]), body: { bytes: m[9] === '-' ? 0 : Number(m[9]) } } },
    url: { original: m[6] },
    user_agent: { original: m[11] },
  });
}

/** Lines per second of the baseline and of the full path, and their ratio (full ÷ baseline). */
export interface PerRecordResult {
  baselinePerSec: number;
  fullPerSec: number;
  ratio: number;
}

/**
 * Runs both over `records` (weblogs) `rounds` times, alternating, in batches of `batchSize`, and keeps
 * each one's best round (the least disturbed by other processes on the machine).
 */
export function perRecordBench(records: SourceRecord[], ctx: EnrichContext, batchSize: number, rounds = 3): PerRecordResult {
  let sink = 0;
  const baseline = (): void => {
    for (const r of records) sink += baselineLine(r.raw).length;
  };
  // The sink's own encoding: every document's `_bulk` lines written as UTF-8 into a reused body buffer.
  let bodyBuffer: Buffer = Buffer.allocUnsafeSlow(4 * 1024 * 1024);
  const full = (): void => {
    for (let i = 0; i < records.length; i += batchSize) {
      const { docs } = transformBatch(records.slice(i, i + batchSize), ctx, 'bench');
      const { body, grown } = encodeBulkBody(docs, docs.map((_, k) => k), bodyBuffer);
      bodyBuffer = grown;
      sink += body.length;
    }
  };
  // CPU time of this process (user + system, all its threads), not wall time: on a machine shared
  // with other work, waiting for a core is not a cost of the code.
  const time = (fn: () => void): number => {
    const t = process.cpuUsage();
    fn();
    const d = process.cpuUsage(t);
    return (d.user + d.system) / 1e6;
  };
  // Warm-up: JIT, and the GeoIP/user-agent caches as a running processor has them.
  transformBatch(records.slice(0, 2000), ctx, 'bench');
  baseline();
  let bestBaseline = Infinity;
  let bestFull = Infinity;
  for (let i = 0; i < rounds; i++) {
    bestBaseline = Math.min(bestBaseline, time(baseline));
    bestFull = Math.min(bestFull, time(full));
  }
  if (sink < 0) console.log(sink); // keep the work observable
  const baselinePerSec = records.length / bestBaseline;
  const fullPerSec = records.length / bestFull;
  return { baselinePerSec, fullPerSec, ratio: fullPerSec / baselinePerSec };
}
