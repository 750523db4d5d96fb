/**
 * What the Kafka side needs to know about each dataset: its topic (DESIGN.md: topics mirror the
 * datasets) and its message key (Kafka's partitioner sends equal keys to the same partition, which is
 * what keeps per-key order: one client's requests, one ticker's headlines, one symbol's ticks).
 *
 * | dataset   | topic            | key                                              |
 * | --------- | ---------------- | ------------------------------------------------ |
 * | `weblogs` | `weblogs.access` | client IP (`%h`, the first field of the line)    |
 * | `news`    | `news.headlines` | first entry of `tickers`, else `id`              |
 * | `ticks`   | `market.ticks`   | `symbol`                                         |
 *
 * A line whose key cannot be extracted (malformed JSON, empty first field) gets a null key; kafkajs'
 * default partitioner then spreads such messages over the partitions.
 *
 * @module generators/kafka/datasets
 */

/** Names of the datasets that can be written to Kafka. */
export const DATASET_NAMES = ['weblogs', 'news', 'ticks'] as const;

/** One of {@link DATASET_NAMES}. */
export type DatasetName = (typeof DATASET_NAMES)[number];

/** Kafka properties of one dataset. */
export interface KafkaDataset {
  readonly name: DatasetName;
  /** Default topic. */
  readonly topic: string;
  /** What the key is, for help texts. */
  readonly keyDescription: string;
  /** Message key of a line (no newline), or null when it cannot be determined. Never throws. */
  key(line: string): string | null;
}

function parseObject(line: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function nonEmptyString(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** Client IP of a combined-format line: everything before the first space (null if empty). */
export function weblogKey(line: string): string | null {
  const sp = line.indexOf(' ');
  const ip = sp === -1 ? line : line.slice(0, sp);
  return ip === '' ? null : ip;
}

/** First ticker of a news line, else its `id`, else null. */
export function newsKey(line: string): string | null {
  const o = parseObject(line);
  if (!o) return null;
  const tickers = o.tickers;
  if (Array.isArray(tickers)) {
    const first = nonEmptyString(tickers[0]);
    if (first) return first;
  }
  return nonEmptyString(o.id);
}

/** `symbol` of a tick line, else null. */
export function tickKey(line: string): string | null {
  const o = parseObject(line);
  return o ? nonEmptyString(o.symbol) : null;
}

/** The three datasets, by name. */
export const KAFKA_DATASETS: Readonly<Record<DatasetName, KafkaDataset>> = Object.freeze({
  weblogs: { name: 'weblogs', topic: 'weblogs.access', keyDescription: 'client IP', key: weblogKey },
  news: { name: 'news', topic: 'news.headlines', keyDescription: 'first ticker, else id', key: newsKey },
  ticks: { name: 'ticks', topic: 'market.ticks', keyDescription: 'symbol', key: tickKey },
});

/** Apache/nginx combined (or common) format up to the request: `%h %l %u [%t] "`. */
const COMBINED_PREFIX = /^\S+ \S+ \S+ \[\d{2}\/[A-Za-z]{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "/;

/**
 * Guesses the dataset of a line: a JSON object with `symbol` and `close` is `ticks`, one with
 * `headline` is `news`, a combined-format access-log line is `weblogs`; anything else is null.
 */
export function detectDataset(line: string): DatasetName | null {
  const s = line.trim();
  if (s.startsWith('{')) {
    const o = parseObject(s);
    if (!o) return null;
    if ('symbol' in o && 'close' in o) return 'ticks';
    if ('headline' in o) return 'news';
    return null;
  }
  return COMBINED_PREFIX.test(s) ? 'weblogs' : null;
}

/** Type guard for {@link DatasetName}. */
export function isDatasetName(v: string): v is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(v);
}
