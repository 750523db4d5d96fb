/**
 * Writes synthetic formal financial news sentences for the weak-supervision experiment of issue 19
 * (docs/sentiment.md, "2026-12-07 (afternoon)"): press-release style sentences ("Net sales rose to USD
 * 41.2 million from USD 35.0 million in the first half") built from templates written for this project from general
 * knowledge of financial English, with invented company names and random figures. Not copied from or
 * modelled on any dataset (in particular not on Financial PhraseBank); the templates were written before
 * reading the hand-written check sets' sentences. Dedicated to the public domain (CC0 1.0), like the
 * hand-written sets.
 *
 * Version 2 (the same day, after the first model's errors on the hand-written sets were read): eight more
 * neutral templates that state a figure without a comparison, so a figure in EUR mn is not a cue of
 * polarity by itself (v1 is commit 6fcc55b's file).
 *
 * Version 3 (the same day, after review): every comparison's figures agree with its label (v2's dividend
 * template drew the old dividend as 0.5–0.9 and the new as 0.10–0.95, so most "up from" rows went down;
 * amounts now always two decimals; one currency and unit per comparison); "was"/"were" agree with the
 * metric; and the names, places, currencies (EUR, USD, GBP, CHF, CAD), units (mn, million, bn, billion)
 * and period styles are generic rather than those of one country's press releases. Same seed rule (7),
 * same 300 per class. `scripts/train/check-synthetic-news.ts` checks the direction of every comparison.
 *
 * Each row carries the label its template was written for ("intent": would the news lift or lower the
 * stock?). `--label rules` labels the same sentences with the financial rules instead (weak supervision
 * proper: the rules teach the model formal news vocabulary; circular by design).
 *
 *   npx tsx scripts/train/synthetic-news.ts [--per-class 300] [--seed 7] [--label intent|rules] > out.tsv
 */
import { Command } from 'commander';
import { scoreRules } from '../../processor/enrich/sentiment/index.js';
import { mulberry32 } from './split.js';

const opts = new Command('synthetic-news')
  .option('--per-class <n>', 'sentences per intended class', (v) => Number(v), 300)
  .option('--seed <n>', 'seed', (v) => Number(v), 7)
  .option('--label <how>', 'intent | rules', 'intent')
  .parse()
  .opts<{ perClass: number; seed: number; label: 'intent' | 'rules' }>();

const rand = mulberry32(opts.seed);
const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

// v3: generic names, places, currencies and period styles (v1/v2 imitated one country's press releases).
const COMPANIES = [
  'Aldera', 'Brightwater Metals', 'Corvina Systems', 'Dalmore Foods', 'Eastfield Paper', 'Fennwick Logistics', 'Granite Peak Energy',
  'Harlow Biotech', 'Ivano Retail', 'Juniper Telecom', 'Kestrel Marine', 'Lumen Steel', 'Merivale Bank', 'Northgate Shipping',
  'Oakridge Chemicals', 'Pinecrest Engineering', 'Quarro Software', 'Redstone Group', 'Silverline Packaging', 'Tamsin Insurance',
  'Upland Forest Products', 'Vantaro Media', 'Westbrook Pharmaceuticals', 'Yardley Components', 'Zephyr Airlines',
];
const WHO = (): string => pick([...COMPANIES, ...COMPANIES, 'The company', 'The group', 'The bank', 'The listed company']);
/** A metric and whether it takes a plural verb ("net sales were", "the net loss was"). */
interface Metric { name: string; plural: boolean }
const m = (name: string, plural = false): Metric => ({ name, plural });
const GOOD_METRICS: Metric[] = [
  m('net sales', true), m('revenue'), m('operating profit'), m('net profit'), m('profit before taxes'), m('pretax profit'), m('EBITDA'),
  m('earnings per share', true), m('order intake'), m('the order backlog'), m('comparable sales', true), m('operating income'), m('net income'),
  m('sales', true), m('cash flow from operations'), m('the operating margin'), m('passenger numbers', true), m('deliveries', true), m('gross margin'),
  m('profit for the period'),
];
const BAD_METRICS: Metric[] = [
  m('the operating loss'), m('the net loss'), m('the pretax loss'), m('net debt'), m('operating expenses', true), m('costs', true), m('credit losses', true),
  m('impairment charges', true),
];
const was = (x: Metric): string => (x.plural ? 'were' : 'was');
const PERIODS = [
  'in the first quarter of 2026', 'in the second quarter', 'in Q3 2025', 'in the six months to June 30', 'in the nine months ended September 30',
  'for the full year', 'in fiscal 2025', 'in 2025', 'in the first half', 'in H1 2026', 'in the three months to March', 'in the fourth quarter',
  'in the review period', 'in the latest quarter', '',
];
const CURRENCIES = ['EUR', 'USD', 'GBP', 'USD', 'EUR', 'GBP', 'CHF', 'CAD'];
const UNITS = ['mn', 'million', 'bn', 'million', 'mn', 'billion'];
const PRODUCTS = ['industrial machinery', 'container cranes', 'network equipment', 'wind turbines', 'ferries', 'packaging lines', 'software licences', 'steel pipes', 'medical devices', 'power plants'];
const PLACES = ['Europe', 'North America', 'Asia', 'Germany', 'the UK', 'the US', 'Canada', 'Brazil', 'India', 'Japan', 'Mexico', 'Australia'];
const FACILITIES = ['plant', 'mill', 'factory', 'unit', 'warehouse', 'office'];
const CUSTOMERS = ['a European utility', 'an Asian shipyard', 'a national defence agency', 'a US retailer', 'a regional rail operator', 'a municipal water authority', 'a German carmaker'];

/**
 * Two amounts of one comparison, as text with the same precision, in order (lo < hi, strictly after
 * rounding), with their currency and unit (picked once, so "EUR 41.2 mn from EUR 35.0 mn", never mixed).
 */
function amounts(): [string, string, string, string] {
  const unit = pick(UNITS);
  const big = unit === 'bn' || unit === 'billion';
  const hi = big ? int(11, 400) / 10 : int(20, 9000) / 10;
  const lo = hi * (0.5 + rand() * 0.45);
  const [h, l] = [hi.toFixed(1), lo.toFixed(1)];
  if (!(Number(l) < Number(h))) throw new Error(`amounts out of order: ${l} ≥ ${h}`);
  return [h, l, pick(CURRENCIES), unit];
}
/** One amount (for sentences without a comparison). */
const one = (): string => {
  const [hi, , c, u] = amounts();
  return `${c} ${hi} ${u}`;
};
const money = (cur: string, x: string, unit: string): string => `${cur} ${x} ${unit}`;
const pct = (): string => `${int(2, 60)}${rand() < 0.5 ? `.${int(1, 9)}` : ''} %`;
const period = (): string => {
  const p = pick(PERIODS);
  return p ? ` ${p}` : '';
};
/** A per-share amount, two decimals: new and old (old < new) in cents. */
function perShare(): [string, string] {
  const hi = int(12, 250);
  const lo = Math.max(1, Math.floor(hi * (0.5 + rand() * 0.4)));
  return [(hi / 100).toFixed(2), (lo / 100).toFixed(2)];
}

const POSITIVE: (() => string)[] = [
  () => { const [hi, lo, c, u] = amounts(); return `${cap(pick(GOOD_METRICS).name)} rose to ${money(c, hi, u)} from ${money(c, lo, u)}${period()}.`; },
  () => { const [hi, lo, c, u] = amounts(); return `${cap(pick(GOOD_METRICS).name)} increased to ${money(c, hi, u)}${period()}, from ${money(c, lo, u)} a year earlier.`; },
  () => `${cap(pick(GOOD_METRICS).name)} grew by ${pct()}${period()}.`,
  () => { const [hi, lo, c, u] = amounts(); return `${WHO()}'s ${pick(GOOD_METRICS).name} amounted to ${money(c, hi, u)}${period()}, up from ${money(c, lo, u)}.`; },
  () => { const [hi, lo, c, u] = amounts(); return `${WHO()} reported ${pick(GOOD_METRICS).name} of ${money(c, hi, u)}${period()}, compared with ${money(c, lo, u)} in the corresponding period a year ago.`; },
  () => `${cap(pick(GOOD_METRICS).name)} improved to ${one()}${period()}.`,
  () => { const [hi, lo, c, u] = amounts(); return `The operating loss narrowed to ${money(c, lo, u)} from ${money(c, hi, u)}${period()}.`; },
  () => { const [hi, lo, c, u] = amounts(); return `${WHO()} turned to an operating profit of ${money(c, lo, u)} from a loss of ${money(c, hi, u)}${period()}.`; },
  () => `${WHO()} has won an order worth ${one()} to supply ${pick(PRODUCTS)} to ${pick(CUSTOMERS)}.`,
  () => `${WHO()} signed a ${one()} contract with ${pick(CUSTOMERS)} for ${pick(PRODUCTS)}.`,
  () => `${WHO()} raised its outlook for the full year and now expects ${pick(GOOD_METRICS).name} to grow clearly.`,
  () => `${WHO()} will expand its ${pick(FACILITIES)} in ${pick(PLACES)}, creating some ${int(20, 400)} new jobs.`,
  () => { const [hi, lo] = perShare(); const c = pick(CURRENCIES); return `The board proposes a dividend of ${c} ${hi} per share, up from ${c} ${lo} a year earlier.`; },
  () => { const x = pick(GOOD_METRICS); return `${cap(x.name)} ${was(x)} up ${pct()} at ${one()}${period()}.`; },
  () => `${WHO()}'s market share increased to ${int(10, 60)} % in ${pick(PLACES)}.`,
  () => `Net sales in ${pick(PLACES)} increased by ${pct()}, driven by strong demand for ${pick(PRODUCTS)}.`,
];
const NEGATIVE: (() => string)[] = [
  () => { const [hi, lo, c, u] = amounts(); return `${cap(pick(GOOD_METRICS).name)} fell to ${money(c, lo, u)} from ${money(c, hi, u)}${period()}.`; },
  () => { const [hi, lo, c, u] = amounts(); return `${cap(pick(GOOD_METRICS).name)} decreased to ${money(c, lo, u)}${period()}, from ${money(c, hi, u)} a year earlier.`; },
  () => `${cap(pick(GOOD_METRICS).name)} dropped by ${pct()}${period()}.`,
  () => { const [hi, lo, c, u] = amounts(); return `${WHO()}'s ${pick(GOOD_METRICS).name} amounted to ${money(c, lo, u)}${period()}, down from ${money(c, hi, u)}.`; },
  () => { const [hi, lo, c, u] = amounts(); return `${cap(pick(BAD_METRICS).name)} increased to ${money(c, hi, u)} from ${money(c, lo, u)}${period()}.`; },
  () => { const [hi, lo, c, u] = amounts(); return `The net loss widened to ${money(c, hi, u)} from ${money(c, lo, u)}${period()}.`; },
  () => { const [hi, lo, c, u] = amounts(); return `${WHO()} swung to an operating loss of ${money(c, lo, u)} from a profit of ${money(c, hi, u)}${period()}.`; },
  () => `${WHO()} will cut ${int(20, 900)} jobs at its ${pick(FACILITIES)} in ${pick(PLACES)}.`,
  () => `${WHO()} will temporarily lay off ${int(20, 900)} employees at its ${pick(FACILITIES)} in ${pick(PLACES)}.`,
  () => `${WHO()} starts negotiations to reduce up to ${int(20, 400)} jobs in ${pick(PLACES)}.`,
  () => `${WHO()} lowered its outlook and now expects ${pick(GOOD_METRICS).name} to decline from last year.`,
  () => `${WHO()} issued a profit warning, citing weak demand for ${pick(PRODUCTS)}.`,
  () => { const x = pick(GOOD_METRICS); return `${cap(x.name)} ${was(x)} down ${pct()} at ${one()}${period()}.`; },
  () => `${WHO()} will close its ${pick(FACILITIES)} in ${pick(PLACES)} due to poor profitability.`,
  () => `${cap(pick(GOOD_METRICS).name)} declined by ${pct()}, hit by lower prices of ${pick(PRODUCTS)}.`,
  () => `${WHO()} booked impairment charges of ${one()}${period()}.`,
];
const NEUTRAL: (() => string)[] = [
  () => `${WHO()} is a ${pick(['US-based', 'UK-based', 'European', 'North American', 'global', 'Asian'])} supplier of ${pick(PRODUCTS)}.`,
  () => `${WHO()} has operations in ${int(3, 40)} countries and employs some ${int(200, 9000)} people.`,
  () => `${WHO()} will publish its ${pick(['first-quarter results', 'half-year report', 'third-quarter results', 'annual report', 'interim report'])} on ${pick(['April', 'July', 'October', 'May', 'February'])} ${int(1, 28)}.`,
  () => `The value of the ${pick(['order', 'contract', 'deal'])} was not disclosed.`,
  () => `${cap(pick(GOOD_METRICS).name)} totalled ${one()}${period()}.`,
  () => `The shares were issued at a subscription price of ${pick(CURRENCIES)} ${int(1, 40)}.${int(10, 99)} per share.`,
  () => `The transaction is expected to be completed by the end of ${pick(['March', 'June', 'the year', 'the second quarter'])}.`,
  () => `${pick(['Anna Keller', 'Mark Davies', 'Priya Raman', 'Daniel Ortiz', 'Laura Chen', 'Peter Holm'])} has been appointed chief financial officer of ${pick(COMPANIES)} as of ${pick(['January', 'March', 'August'])} ${int(1, 28)}.`,
  () => `The annual general meeting will be held on ${pick(['March', 'April', 'May'])} ${int(1, 28)} in ${pick(['London', 'New York', 'Frankfurt', 'Toronto', 'Singapore', 'Zurich'])}.`,
  () => `${WHO()} operates ${int(5, 300)} stores in ${pick(PLACES)}.`,
  () => `The new ${pick(FACILITIES)} will produce ${pick(PRODUCTS)} for the ${pick(['European', 'North American', 'Asian', 'domestic'])} market.`,
  () => `The agreement includes an option for ${int(2, 20)} additional ${pick(PRODUCTS)}.`,
  () => `${WHO()}'s shares are listed on ${pick(['the New York Stock Exchange', 'Nasdaq', 'the London Stock Exchange', 'Euronext Paris', 'the Frankfurt Stock Exchange', 'the Toronto Stock Exchange'])}.`,
  () => `Operating profit excluding non-recurring items was ${one()}${period()}.`,
  () => `The deliveries are scheduled to take place in ${int(2026, 2029)}.`,
  () => `${WHO()} acquired the entire share capital of ${pick(COMPANIES)} for ${one()}.`,
  () => `The figures are unaudited and based on ${pick(['IFRS', 'US GAAP', 'preliminary data', 'the new segment structure'])}.`,
  () => `${WHO()} said it will not comment on market rumours.`,
  // v2: plain statements of a figure, without a comparison (v1's neutral class had few figures, so the
  // model learnt "a figure in EUR mn" as polar).
  () => { const x = pick(GOOD_METRICS); return `${cap(x.name)} ${was(x)} ${one()}${period()}.`; },
  () => `${cap(pick(GOOD_METRICS).name)} amounted to ${one()}${period()}.`,
  () => `${WHO()} reported ${pick(GOOD_METRICS).name} of ${one()}${period()}.`,
  () => `${WHO()}'s ${pick(GOOD_METRICS).name} stood at ${one()}${period()}.`,
  () => { const x = pick(BAD_METRICS); return `${cap(x.name)} ${was(x)} ${one()}${period()}.`; },
  () => `At the end of the period, ${WHO().replace(/^The/, 'the')} had ${int(50, 9000)} employees and ${one()} in cash.`,
  () => `${pick(COMPANIES)} had net sales of ${one()} and ${int(50, 5000)} employees in ${int(2023, 2025)}.`,
  () => `The price of the acquisition is ${one()}, paid in cash.`,
];

const seen = new Set<string>();
const rows: [string, string][] = [];
let agree = 0;
for (const [label, templates] of [['positive', POSITIVE], ['negative', NEGATIVE], ['neutral', NEUTRAL]] as const) {
  let n = 0;
  for (let tries = 0; n < opts.perClass && tries < opts.perClass * 50; tries++) {
    const s = pick(templates)().replace(/\s+/g, ' ');
    if (seen.has(s)) continue;
    seen.add(s);
    const rules = scoreRules(s).label;
    if (rules === label) agree++;
    rows.push([opts.label === 'rules' ? rules : label, s]);
    n++;
  }
}
process.stderr.write(`${rows.length} sentences; the rules agree with the template's intent on ${agree} (${((100 * agree) / rows.length).toFixed(1)} %)\n`);
console.log('label\theadline');
for (const [l, s] of rows) console.log(`${l}\t${s}`);
