/**
 * Writes synthetic formal financial news sentences for the weak-supervision experiment of issue 19
 * (docs/sentiment.md, "2026-12-07 (afternoon)"): press-release style sentences ("Net sales rose to EUR
 * 41.2 mn from EUR 35.0 mn in January-June") built from templates written for this project from general
 * knowledge of financial English, with invented company names and random figures. Not copied from or
 * modelled on any dataset (in particular not on Financial PhraseBank); the templates were written before
 * reading the hand-written check sets' sentences. Dedicated to the public domain (CC0 1.0), like the
 * hand-written sets.
 *
 * Version 2 (the same day, after the first model's errors on the hand-written sets were read): eight more
 * neutral templates that state a figure without a comparison, so a figure in EUR mn is not a cue of
 * polarity by itself (v1 is commit 6fcc55b's file).
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

const COMPANIES = [
  'Aldera', 'Brixholm Metals', 'Corvina Systems', 'Dalmore Foods', 'Eskovaara Paper', 'Fennwick Logistics', 'Granholt Energy',
  'Harlow Biotech', 'Ivano Retail', 'Jarvik Telecom', 'Kestrel Marine', 'Lumen Steel', 'Merivale Bank', 'Nordhaven Shipping',
  'Oakridge Chemicals', 'Pellervo Engineering', 'Quarro Software', 'Rautila Group', 'Solberg Packaging', 'Tamsin Insurance',
  'Ulvik Forest Products', 'Vantaro Media', 'Westbrook Pharmaceuticals', 'Ystad Components', 'Zephyr Airlines',
];
const WHO = (): string => pick([...COMPANIES, ...COMPANIES, 'The company', 'The group', 'The bank', 'The listed company']);
const GOOD_METRICS = [
  'net sales', 'revenue', 'operating profit', 'net profit', 'profit before taxes', 'pretax profit', 'EBITDA', 'earnings per share',
  'order intake', 'the order backlog', 'comparable sales', 'operating income', 'net income', 'sales', 'cash flow from operations',
  'the operating margin', 'passenger numbers', 'deliveries', 'gross margin', 'profit for the period',
];
const BAD_METRICS = ['the operating loss', 'the net loss', 'the pretax loss', 'net debt', 'operating expenses', 'costs', 'credit losses', 'impairment charges'];
const PERIODS = [
  'in the first quarter of 2026', 'in the second quarter', 'in January-June', 'in January-September', 'for the full year', 'in 2025',
  'in the third quarter of 2025', 'in the review period', 'in the fourth quarter', 'in the first half of the year', 'year-on-year', '',
];
const CURRENCIES = ['EUR', 'EUR', 'USD', 'SEK', 'GBP', 'NOK'];
const UNITS = ['mn', 'million', 'm', 'mn'];
const PRODUCTS = ['paper machines', 'container cranes', 'network equipment', 'wind turbines', 'ferries', 'packaging lines', 'software licences', 'steel pipes', 'medical devices', 'power plants'];
const PLACES = ['Finland', 'Sweden', 'Estonia', 'Poland', 'Germany', 'the UK', 'China', 'Russia', 'the US', 'Norway', 'Brazil', 'India'];
const FACILITIES = ['plant', 'mill', 'factory', 'unit', 'warehouse', 'office'];
const CUSTOMERS = ['a European utility', 'a Chinese shipyard', 'the Finnish Defence Forces', 'a US retailer', 'a Nordic operator', 'the city of Tampere', 'a German carmaker'];

/** Two amounts in order (lo < hi), with one decimal. */
function amounts(): [string, string, string] {
  const hi = int(20, 9000) / 10;
  const lo = (hi * (0.5 + rand() * 0.45)).toFixed(1);
  return [hi.toFixed(1), lo, pick(CURRENCIES)];
}
const money = (cur: string, x: string, unit = pick(UNITS)): string => `${cur} ${x} ${unit}`;
const pct = (): string => `${int(2, 60)}${rand() < 0.5 ? `.${int(1, 9)}` : ''} %`;
const period = (): string => {
  const p = pick(PERIODS);
  return p ? ` ${p}` : '';
};

const POSITIVE: (() => string)[] = [
  () => { const [hi, lo, c] = amounts(); return `${cap(pick(GOOD_METRICS))} rose to ${money(c, hi)} from ${money(c, lo)}${period()}.`; },
  () => { const [hi, lo, c] = amounts(); return `${cap(pick(GOOD_METRICS))} increased to ${money(c, hi)}${period()}, from ${money(c, lo)} a year earlier.`; },
  () => `${cap(pick(GOOD_METRICS))} grew by ${pct()}${period()}.`,
  () => { const [hi, lo, c] = amounts(); return `${WHO()}'s ${pick(GOOD_METRICS)} amounted to ${money(c, hi)}${period()}, up from ${money(c, lo)}.`; },
  () => { const [hi, lo, c] = amounts(); return `${WHO()} reported ${pick(GOOD_METRICS)} of ${money(c, hi)}${period()}, compared with ${money(c, lo)} in the corresponding period a year ago.`; },
  () => `${cap(pick(GOOD_METRICS))} improved to ${money(pick(CURRENCIES), amounts()[0])}${period()}.`,
  () => { const [hi, lo, c] = amounts(); return `The operating loss narrowed to ${money(c, lo)} from ${money(c, hi)}${period()}.`; },
  () => { const [hi, lo, c] = amounts(); return `${WHO()} turned to an operating profit of ${money(c, lo)} from a loss of ${money(c, hi)}${period()}.`; },
  () => `${WHO()} has won an order worth ${money(pick(CURRENCIES), amounts()[0])} to supply ${pick(PRODUCTS)} to ${pick(CUSTOMERS)}.`,
  () => `${WHO()} signed a ${money(pick(CURRENCIES), amounts()[0])} contract with ${pick(CUSTOMERS)} for ${pick(PRODUCTS)}.`,
  () => `${WHO()} raised its outlook for the full year and now expects ${pick(GOOD_METRICS)} to grow clearly.`,
  () => `${WHO()} will expand its ${pick(FACILITIES)} in ${pick(PLACES)}, creating some ${int(20, 400)} new jobs.`,
  () => `The board proposes a dividend of EUR 0.${int(10, 95)} per share, up from EUR 0.${int(5, 9)} a year earlier.`,
  () => `${cap(pick(GOOD_METRICS))} was up ${pct()} at ${money(pick(CURRENCIES), amounts()[0])}${period()}.`,
  () => `${WHO()}'s market share increased to ${int(10, 60)} % in ${pick(PLACES)}.`,
  () => `Net sales in ${pick(PLACES)} increased by ${pct()}, driven by strong demand for ${pick(PRODUCTS)}.`,
];
const NEGATIVE: (() => string)[] = [
  () => { const [hi, lo, c] = amounts(); return `${cap(pick(GOOD_METRICS))} fell to ${money(c, lo)} from ${money(c, hi)}${period()}.`; },
  () => { const [hi, lo, c] = amounts(); return `${cap(pick(GOOD_METRICS))} decreased to ${money(c, lo)}${period()}, from ${money(c, hi)} a year earlier.`; },
  () => `${cap(pick(GOOD_METRICS))} dropped by ${pct()}${period()}.`,
  () => { const [hi, lo, c] = amounts(); return `${WHO()}'s ${pick(GOOD_METRICS)} amounted to ${money(c, lo)}${period()}, down from ${money(c, hi)}.`; },
  () => { const [hi, lo, c] = amounts(); return `${cap(pick(BAD_METRICS))} increased to ${money(c, hi)} from ${money(c, lo)}${period()}.`; },
  () => { const [hi, lo, c] = amounts(); return `The net loss widened to ${money(c, hi)} from ${money(c, lo)}${period()}.`; },
  () => { const [hi, lo, c] = amounts(); return `${WHO()} swung to an operating loss of ${money(c, lo)} from a profit of ${money(c, hi)}${period()}.`; },
  () => `${WHO()} will cut ${int(20, 900)} jobs at its ${pick(FACILITIES)} in ${pick(PLACES)}.`,
  () => `${WHO()} will temporarily lay off ${int(20, 900)} employees at its ${pick(FACILITIES)} in ${pick(PLACES)}.`,
  () => `${WHO()} starts negotiations to reduce up to ${int(20, 400)} jobs in ${pick(PLACES)}.`,
  () => `${WHO()} lowered its outlook and now expects ${pick(GOOD_METRICS)} to decline from last year.`,
  () => `${WHO()} issued a profit warning, citing weak demand for ${pick(PRODUCTS)}.`,
  () => `${cap(pick(GOOD_METRICS))} was down ${pct()} at ${money(pick(CURRENCIES), amounts()[1])}${period()}.`,
  () => `${WHO()} will close its ${pick(FACILITIES)} in ${pick(PLACES)} due to poor profitability.`,
  () => `${cap(pick(GOOD_METRICS))} declined by ${pct()}, hit by lower prices of ${pick(PRODUCTS)}.`,
  () => `${WHO()} booked impairment charges of ${money(pick(CURRENCIES), amounts()[1])}${period()}.`,
];
const NEUTRAL: (() => string)[] = [
  () => `${WHO()} is a ${pick(['Finnish', 'Swedish', 'Nordic', 'European', 'global'])} supplier of ${pick(PRODUCTS)}.`,
  () => `${WHO()} has operations in ${int(3, 40)} countries and employs some ${int(200, 9000)} people.`,
  () => `${WHO()} will publish its interim report for ${pick(['January-March', 'January-June', 'January-September'])} on ${int(1, 28)} ${pick(['April', 'July', 'October', 'May'])}.`,
  () => `The value of the ${pick(['order', 'contract', 'deal'])} was not disclosed.`,
  () => `${cap(pick(GOOD_METRICS))} totalled ${money(pick(CURRENCIES), amounts()[0])}${period()}.`,
  () => `The shares were issued at a subscription price of EUR ${int(1, 40)}.${int(10, 99)} per share.`,
  () => `The transaction is expected to be completed by the end of ${pick(['March', 'June', 'the year', 'the second quarter'])}.`,
  () => `${pick(['Anna Virtanen', 'Mikael Berg', 'Jukka Laine', 'Sofia Lind', 'Peter Holm'])} has been appointed chief financial officer of ${pick(COMPANIES)} as of ${int(1, 28)} ${pick(['January', 'March', 'August'])}.`,
  () => `The annual general meeting will be held on ${int(1, 28)} ${pick(['March', 'April', 'May'])} in ${pick(['Helsinki', 'Stockholm', 'Oslo', 'Tampere', 'Espoo'])}.`,
  () => `${WHO()} operates ${int(5, 300)} stores in ${pick(PLACES)}.`,
  () => `The new ${pick(FACILITIES)} will produce ${pick(PRODUCTS)} for the ${pick(['Nordic', 'European', 'Asian'])} market.`,
  () => `The agreement includes an option for ${int(2, 20)} additional ${pick(PRODUCTS)}.`,
  () => `${WHO()}'s shares are listed on ${pick(['Nasdaq Helsinki', 'Nasdaq Stockholm', 'the Oslo Stock Exchange', 'the London Stock Exchange'])}.`,
  () => `Operating profit excluding non-recurring items was ${money(pick(CURRENCIES), amounts()[0])}${period()}.`,
  () => `The deliveries are scheduled to take place in ${int(2026, 2029)}.`,
  () => `${WHO()} acquired the entire share capital of ${pick(COMPANIES)} for ${money(pick(CURRENCIES), amounts()[0])}.`,
  () => `The figures are unaudited and based on ${pick(['IFRS', 'preliminary data', 'the new segment structure'])}.`,
  () => `${WHO()} said it will not comment on market rumours.`,
  // v2: plain statements of a figure, without a comparison (v1's neutral class had few figures, so the
  // model learnt "a figure in EUR mn" as polar).
  () => `${cap(pick(GOOD_METRICS))} was ${money(pick(CURRENCIES), amounts()[0])}${period()}.`,
  () => `${cap(pick(GOOD_METRICS))} amounted to ${money(pick(CURRENCIES), amounts()[0])}${period()}.`,
  () => `${WHO()} reported ${pick(GOOD_METRICS)} of ${money(pick(CURRENCIES), amounts()[0])}${period()}.`,
  () => `${WHO()}'s ${pick(GOOD_METRICS)} stood at ${money(pick(CURRENCIES), amounts()[0])}${period()}.`,
  () => `${cap(pick(BAD_METRICS))} were ${money(pick(CURRENCIES), amounts()[1])}${period()}.`,
  () => `At the end of the period, ${WHO().replace(/^The/, 'the')} had ${int(50, 9000)} employees and ${money(pick(CURRENCIES), amounts()[0])} in cash.`,
  () => `${pick(COMPANIES)} had net sales of ${money(pick(CURRENCIES), amounts()[0])} and ${int(50, 5000)} employees in ${int(2023, 2025)}.`,
  () => `The price of the acquisition is ${money(pick(CURRENCIES), amounts()[1])}, paid in cash.`,
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
