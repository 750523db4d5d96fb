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
  const batches: SourceRecord[][] = [];
  for (let i = 0; i < records.length; i += batchSize) batches.push(records.slice(i, i + batchSize));
  // Warm-up: JIT, and the GeoIP/user-agent caches as a running processor has them.
  full(records.slice(0, 2000));
  for (const b of batches) baseline(b);
  const p = pairedCpu(batches.map((b) => [b, b] as const), baseline, full, rounds);
  if (sink < 0) console.log(sink); // keep the work observable
  const baselinePerSec = records.length / p.bestA;
  const fullPerSec = records.length / p.bestB;
  return { baselinePerSec, fullPerSec, ratio: p.totalA / p.totalB, ratioOfBestRounds: fullPerSec / baselinePerSec, pairs: p.pairs };
}

/** CPU seconds of two functions timed batch by batch in pairs (see `pairedCpu`). */
export interface PairedCpu {
  /** Sum over every pair of every round. */
  totalA: number;
  totalB: number;
  /** The fastest round of each. */
  bestA: number;
  bestB: number;
  pairs: number;
}

/**
 * Times `a` on the first and `b` on the second batch of each pair back to back, `rounds` times (which
 * goes first alternates), as CPU time of this process (user + system, all its threads), not wall time:
 * on a machine shared with other work, waiting for a core is not a cost of the code.
 */
export function pairedCpu<A, B>(pairs: (readonly [A, B])[], a: (x: A) => void, b: (x: B) => void, rounds: number): PairedCpu {
  const time = <T>(fn: (x: T) => void, x: T): number => {
    const t = process.cpuUsage();
    fn(x);
    const d = process.cpuUsage(t);
    return (d.user + d.system) / 1e6;
  };
  const out: PairedCpu = { totalA: 0, totalB: 0, bestA: Infinity, bestB: Infinity, pairs: 0 };
  for (let round = 0; round < rounds; round++) {
    let roundA = 0;
    let roundB = 0;
    pairs.forEach(([x, y], k) => {
      if ((k + round) % 2 === 0) {
        roundA += time(a, x);
        roundB += time(b, y);
      } else {
        roundB += time(b, y);
        roundA += time(a, x);
      }
      out.pairs += 1;
    });
    out.totalA += roundA;
    out.totalB += roundB;
    out.bestA = Math.min(out.bestA, roundA);
    out.bestB = Math.min(out.bestB, roundB);
  }
  return out;
}
