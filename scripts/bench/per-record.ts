/**
 * Per-record cost on one core, no I/O: the project's full path (decode, validate, enrich with GeoIP and
 * user agents, `_id`, and the `_bulk` body bytes the sink sends) against a plain baseline — one regex,
 * an ECS-shaped object, a UTC ISO timestamp and `JSON.stringify` — measured in the same process, each
 * batch through both back to back so machine noise hits both alike, as CPU seconds (lines per CPU second).
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
  /** Best round of each, over all the records. */
  baselinePerSec: number;
  fullPerSec: number;
  /** Baseline CPU ÷ full-path CPU, summed over every batch of every round, each batch timed through both back to back. */
  ratio: number;
  /** `fullPerSec ÷ baselinePerSec`: the two best rounds, which were measured at different moments. */
  ratioOfBestRounds: number;
  /** Batches timed through both (`rounds` × batches per round). */
  pairs: number;
}

/**
 * Runs both over `records` (weblogs) `rounds` times in batches of `batchSize`, each batch through the
 * baseline and the full path back to back (which goes first alternates), as CPU time of this process.
 * The ratio is of the two CPU totals over all those pairs: a pair spans ~0.1 s, so load from other
 * processes falls on both sides alike, while the best-round ratio (also returned) compares passes taken
 * seconds apart and moved from 0.26 to 0.45 between runs of the same code. Totals, not a median of the
 * per-batch ratios, because the full path's garbage-collection pauses land in a few batches and are
 * part of its cost, which a median would leave out.
 */
export function perRecordBench(records: SourceRecord[], ctx: EnrichContext, batchSize: number, rounds = 3): PerRecordResult {
  let sink = 0;
  const baseline = (batch: SourceRecord[]): void => {
    for (const r of batch) sink += baselineLine(r.raw).length;
  };
  // The sink's own encoding: every document's `_bulk` lines written as UTF-8 into a reused body buffer.
  let bodyBuffer: Buffer = Buffer.allocUnsafeSlow(4 * 1024 * 1024);
  const full = (batch: SourceRecord[]): void => {
    const { docs } = transformBatch(batch, ctx, 'bench');
    const { body, grown } = encodeBulkBody(docs, docs.map((_, k) => k), bodyBuffer);
    bodyBuffer = grown;
    sink += body.length;
  };
  // CPU time of this process (user + system, all its threads), not wall time: on a machine shared
  // with other work, waiting for a core is not a cost of the code.
  const time = (fn: (batch: SourceRecord[]) => void, batch: SourceRecord[]): number => {
    const t = process.cpuUsage();
    fn(batch);
    const d = process.cpuUsage(t);
    return (d.user + d.system) / 1e6;
  };
  const batches: SourceRecord[][] = [];
  for (let i = 0; i < records.length; i += batchSize) batches.push(records.slice(i, i + batchSize));
  // Warm-up: JIT, and the GeoIP/user-agent caches as a running processor has them.
  full(records.slice(0, 2000));
  for (const b of batches) baseline(b);
  let bestBaseline = Infinity;
  let bestFull = Infinity;
  let totalBaseline = 0;
  let totalFull = 0;
  let pairs = 0;
  for (let round = 0; round < rounds; round++) {
    let roundBaseline = 0;
    let roundFull = 0;
    batches.forEach((b, k) => {
      let tb: number;
      let tf: number;
      if ((k + round) % 2 === 0) {
        tb = time(baseline, b);
        tf = time(full, b);
      } else {
        tf = time(full, b);
        tb = time(baseline, b);
      }
      roundBaseline += tb;
      roundFull += tf;
      pairs += 1;
    });
    totalBaseline += roundBaseline;
    totalFull += roundFull;
    bestBaseline = Math.min(bestBaseline, roundBaseline);
    bestFull = Math.min(bestFull, roundFull);
  }
  if (sink < 0) console.log(sink); // keep the work observable
  const baselinePerSec = records.length / bestBaseline;
  const fullPerSec = records.length / bestFull;
  return { baselinePerSec, fullPerSec, ratio: totalBaseline / totalFull, ratioOfBestRounds: fullPerSec / baselinePerSec, pairs };
}
