/**
 * Synthetic financial headlines: one JSON object per line,
 *
 *     {"@timestamp":"2025-06-01T00:00:00.000Z","id":"news-42-00000000","headline":"$AAPL Q1 EPS of $2.41 beats estimates of $2.18",
 *      "source":"Reuters","tickers":["AAPL"]}
 *
 * Model: each headline picks an event template ({@link NEWS_TEMPLATES}, weighted; 39 %
 * positive, 41 % negative, 20 % neutral), then the subject company from {@link COMPANIES} weighted by
 * `newsWeight` (an acquisition names a second, different company as target), then a mention style per
 * company — the name (`Apple`, 50 %), the cashtag (`$AAPL`, 30 %) or both (`Apple ($AAPL)`, 20 %) —
 * a phrasing of the template with its numbers, and a source (wire services and financial media,
 * weighted). `tickers` lists the named companies in order of mention (acquirer, then target).
 *
 * `id` is `news-<seed>-<sequence>` (sequence = 0-based line number, 8+ digits): deterministic, unique
 * within a run, and different across seeds.
 *
 * Determinism: output depends only on `seed` and the sequence of event times passed to `next()`.
 *
 * @module generators/news/generator
 */
import { createRandom, weightedTable } from '../common/random.js';
import type { LineGenerator } from '../common/run.js';
import { COMPANIES, type Company } from './companies.js';
import { NEWS_TEMPLATES, type NewsEventKind, type NewsTemplate, type Polarity } from './templates.js';

/** The JSON document of one headline, in output key order. */
export interface NewsRecord {
  /** Event time, ISO-8601 UTC with milliseconds (`Date.toISOString`). */
  '@timestamp': string;
  /** `news-<seed>-<sequence>`. */
  id: string;
  headline: string;
  /** Publisher, e.g. `Reuters`. */
  source: string;
  /** Tickers of the companies named in the headline, in order of mention (1 or 2). */
  tickers: string[];
}

/** One generated headline with what the tests need to know about it. */
export interface NewsEntry {
  /** The JSON line (no newline); exactly `JSON.stringify(record)`. */
  line: string;
  record: NewsRecord;
  /** Polarity of the event template (not part of the line). */
  polarity: Polarity;
  /** Event template kind (not part of the line). */
  event: NewsEventKind;
}

/** Options of {@link createNewsGenerator}. */
export interface NewsGeneratorOptions {
  /** Unsigned 32-bit integer seed. */
  seed: number;
  /** Companies to draw from (default {@link COMPANIES}); at least 2. */
  companies?: readonly Company[];
}

/** The news generator; see {@link createNewsGenerator}. */
export interface NewsGenerator extends LineGenerator {
  /** Next headline as a JSON line stamped with `eventTime`. */
  next(eventTime: Date): string;
  /** Same as {@link next} with the record, polarity and event kind. */
  nextEntry(eventTime: Date): NewsEntry;
}

/** Publishers and their relative frequency (wire services most, press-release wires least). */
export const NEWS_SOURCES: ReadonlyArray<readonly [string, number]> = [
  ['Reuters', 20],
  ['Bloomberg', 18],
  ['Dow Jones', 12],
  ['MarketWatch', 10],
  ['CNBC', 8],
  ['The Wall Street Journal', 7],
  ['Financial Times', 5],
  ["Barron's", 5],
  ['Benzinga', 5],
  ['Seeking Alpha', 3],
  ['Yahoo Finance', 3],
  ['Business Wire', 2],
  ['PR Newswire', 1],
  ['GlobeNewswire', 1],
];

type MentionStyle = 'name' | 'cashtag' | 'both';
const MENTION_STYLES = weightedTable<MentionStyle>([
  ['name', 50],
  ['cashtag', 30],
  ['both', 20],
]);

/** Formats a company mention in a style: `Apple`, `$AAPL` or `Apple ($AAPL)`. */
export function mention(company: Company, style: MentionStyle): string {
  switch (style) {
    case 'name':
      return company.name;
    case 'cashtag':
      return `$${company.ticker}`;
    case 'both':
      return `${company.name} ($${company.ticker})`;
  }
}

/**
 * Creates a deterministic headline generator.
 *
 * @returns a {@link NewsGenerator}; `next(eventTime)` once per line.
 * @throws {RangeError} for an invalid seed or fewer than 2 companies.
 */
export function createNewsGenerator(options: NewsGeneratorOptions): NewsGenerator {
  const rng = createRandom(options.seed);
  const companies = options.companies ?? COMPANIES;
  if (companies.length < 2) throw new RangeError('news: need at least 2 companies');
  const companyTable = weightedTable(companies.map((c) => [c, c.newsWeight] as const));
  const templateTable = weightedTable<NewsTemplate>(NEWS_TEMPLATES.map((tpl) => [tpl, tpl.weight] as const));
  const sourceTable = weightedTable(NEWS_SOURCES);
  const idPrefix = `news-${options.seed}-`;
  let seq = 0;

  const nextEntry = (eventTime: Date): NewsEntry => {
    if (Number.isNaN(eventTime.getTime())) throw new RangeError('next: invalid event time');
    const tpl = rng.weighted(templateTable);
    const company = rng.weighted(companyTable);
    let company2 = company;
    if (tpl.companies === 2) {
      while (company2 === company) company2 = rng.weighted(companyTable);
    }
    const co = mention(company, rng.weighted(MENTION_STYLES));
    const co2 = tpl.companies === 2 ? mention(company2, rng.weighted(MENTION_STYLES)) : '';
    const phrase = rng.pick(tpl.phrasings);
    const headline = phrase({ rng, co, company, co2, company2, time: eventTime });
    const record: NewsRecord = {
      '@timestamp': eventTime.toISOString(),
      id: idPrefix + String(seq).padStart(8, '0'),
      headline,
      source: rng.weighted(sourceTable),
      tickers: tpl.companies === 2 ? [company.ticker, company2.ticker] : [company.ticker],
    };
    seq++;
    return { line: JSON.stringify(record), record, polarity: tpl.polarity, event: tpl.kind };
  };

  return {
    next: (eventTime) => nextEntry(eventTime).line,
    nextEntry,
  };
}
