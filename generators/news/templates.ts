/**
 * Headline templates of the news generator, one per market event, each with a KNOWN polarity
 * (the direction a trader would read into the event for the named company's stock).
 *
 * Wording rules, so that the polarity is recoverable from the text:
 * - positive templates use clearly positive finance verbs/nouns (beats, tops, raises, upgrade,
 *   record, surge, boosts, jumps, premium …) and never negative ones;
 * - negative templates use clearly negative ones (misses, cuts, downgrade, breach, lawsuit, layoffs,
 *   recall, slump, plunge …) and never positive ones;
 * - neutral templates (conference dates, results dates, board appointments, product launches, annual
 *   meetings) avoid both.
 * Analyst houses and conferences named in headlines are brokers that are NOT in the company table,
 * and person names never contain a word of a company name, so the only companies a headline names
 * are the ones listed in its `tickers`. (Lower-case common words such as "price target" do occur.)
 *
 * @module generators/news/templates
 */
import type { SeededRandom } from '../common/random.js';
import { COMPANIES, type Company } from './companies.js';

/** Direction of the event for the stock of the (first) named company. */
export type Polarity = 'positive' | 'negative' | 'neutral';

/** Kinds of market events a headline can report. */
export type NewsEventKind =
  | 'earnings-beat'
  | 'earnings-miss'
  | 'analyst-upgrade'
  | 'analyst-downgrade'
  | 'guidance-raised'
  | 'guidance-cut'
  | 'record-revenue'
  | 'buyback'
  | 'dividend-hike'
  | 'dividend-cut'
  | 'acquisition'
  | 'data-breach'
  | 'lawsuit'
  | 'layoffs'
  | 'ceo-departure'
  | 'product-recall'
  | 'conference'
  | 'results-date'
  | 'board-appointment'
  | 'product-launch'
  | 'annual-meeting';

/** What a phrasing function gets to build one headline. */
export interface HeadlineContext {
  /** The random source (phrasings draw their numbers from it, so output stays seeded). */
  rng: SeededRandom;
  /** Mention of the subject company, already in its chosen style (`Apple`, `$AAPL` or `Apple ($AAPL)`). */
  co: string;
  /** The subject company. */
  company: Company;
  /** Mention of the second company (acquisition target), or `''` when the template names one company. */
  co2: string;
  /** The second company, or the subject again when there is none. */
  company2: Company;
  /** Event time of the headline. */
  time: Date;
}

/** One event template. */
export interface NewsTemplate {
  kind: NewsEventKind;
  polarity: Polarity;
  /** Relative frequency among all templates. */
  weight: number;
  /** Number of companies named (1, or 2 for acquisitions: acquirer then target). */
  companies: 1 | 2;
  /** Alternative phrasings; one is picked uniformly. */
  phrasings: ReadonlyArray<(c: HeadlineContext) => string>;
}

/** Brokers that publish ratings; none of them is in the company table (see the module doc). */
export const ANALYST_FIRMS: readonly string[] = [
  'Barclays', 'UBS', 'Deutsche Bank', 'Jefferies', 'Bernstein', 'Evercore ISI', 'Piper Sandler', 'Wedbush',
  'Raymond James', 'Needham', 'Mizuho', 'KeyBanc', 'Oppenheimer', 'BMO Capital', 'RBC Capital Markets', 'TD Cowen',
  'Truist', 'Baird', 'HSBC', 'Stifel',
];

/** Broker conferences; like {@link ANALYST_FIRMS}, none is named after a company of the table. */
const CONFERENCES: readonly string[] = [
  'Bernstein Strategic Decisions', 'Barclays Global Technology', 'UBS Global Technology', 'Jefferies Healthcare',
  'Evercore ISI TMT', 'RBC Capital Markets Global Energy', 'KeyBanc Technology Leadership', 'Needham Growth',
];

const UPGRADE_RATINGS = ['Buy', 'Overweight', 'Outperform', 'Strong Buy'] as const;
const DOWNGRADE_RATINGS = ['Sell', 'Underweight', 'Underperform', 'Neutral', 'Hold'] as const;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const QUARTER_WORDS = ['first', 'second', 'third', 'fourth'];

/** Products by sector, for recalls and launches. */
const PRODUCTS: Readonly<Record<string, { launch: readonly string[]; recall: readonly string[] }>> = {
  Technology: {
    launch: ['AI assistant for enterprise customers', 'data-center chip', 'cloud security suite', 'developer platform', 'line of laptops'],
    recall: ['laptop batteries', 'power adapters', 'wireless chargers', 'server power supplies'],
  },
  'Communication Services': {
    launch: ['streaming bundle', 'ad-supported subscription tier', 'messaging app features', 'smart glasses'],
    recall: ['set-top boxes', 'smart speakers', 'VR headset face pads'],
  },
  'Consumer Discretionary': {
    launch: ['electric SUV', 'loyalty program', 'running shoe line', 'same-day delivery service'],
    recall: ['vehicles over faulty airbags', 'vehicles over a brake defect', 'children\'s products', 'e-bike batteries'],
  },
  'Consumer Staples': {
    launch: ['zero-sugar drink', 'private-label grocery line', 'membership tier', 'snack brand'],
    recall: ['snack products over undeclared allergens', 'bottled drinks', 'infant formula', 'frozen meals'],
  },
  'Health Care': {
    launch: ['GLP-1 drug in Europe', 'diagnostic test', 'insulin pen', 'vaccine for older adults'],
    recall: ['insulin pumps', 'blood pressure tablets', 'heart devices', 'eye drops'],
  },
  Financials: {
    launch: ['digital wallet', 'small-business lending platform', 'crypto custody service', 'travel credit card'],
    recall: ['payment terminals', 'card readers'],
  },
  Energy: {
    launch: ['carbon capture project', 'hydrogen venture', 'lithium extraction pilot', 'LNG export project'],
    recall: ['fuel additives', 'lubricant batches'],
  },
  Industrials: {
    launch: ['autonomous freight service', 'jet engine variant', 'electric excavator', 'drone delivery program'],
    recall: ['aircraft parts', 'respirators', 'industrial heaters', 'delivery vans'],
  },
  Utilities: {
    launch: ['battery storage project', 'offshore wind farm', 'solar program for homeowners'],
    recall: ['smart meters', 'home chargers'],
  },
};

const COMPANY_WORDS: ReadonlySet<string> = new Set(COMPANIES.flatMap((c) => c.name.split(/\s+/)));

/**
 * A person's full name from faker that contains no word of a company name (so "John Ford" never
 * makes a headline name Ford).
 */
function personName(rng: SeededRandom): string {
  for (;;) {
    const name = `${rng.faker.person.firstName()} ${rng.faker.person.lastName()}`;
    if (!name.split(/\s+/).some((w) => COMPANY_WORDS.has(w))) return name;
  }
}

function productsOf(company: Company): { launch: readonly string[]; recall: readonly string[] } {
  return PRODUCTS[company.sector] ?? (PRODUCTS.Technology as { launch: readonly string[]; recall: readonly string[] });
}

/** `$1.23` with two decimals. */
function usd(x: number): string {
  return `$${x.toFixed(2)}`;
}

/** Price target rounded like analysts do: whole dollars, to $5 above $100. */
function priceTarget(x: number): string {
  const v = x >= 100 ? Math.round(x / 5) * 5 : Math.max(1, Math.round(x));
  return `$${v}`;
}

/** Thousands-separated integer. */
function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Fiscal quarter just reported at `time` (the calendar quarter before it), e.g. `Q3` and `third`. */
function lastQuarter(time: Date): { q: string; word: string } {
  const i = (Math.floor(time.getUTCMonth() / 3) + 3) % 4;
  return { q: `Q${i + 1}`, word: QUARTER_WORDS[i] as string };
}

/** A calendar date 5–40 days after `time`, e.g. `October 24`. */
function futureDate(rng: SeededRandom, time: Date): string {
  const d = new Date(time.getTime() + rng.int(5, 40) * 86_400_000);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
}

/** Stable quarterly revenue scale of a company in USD billions (from the ticker, not the random stream). */
function revenueScale(company: Company): number {
  let h = 0;
  for (const ch of company.ticker) h = (h * 31 + ch.charCodeAt(0)) % 997;
  return 4 + (h % 90);
}

function eps(rng: SeededRandom, company: Company): number {
  return Math.max(0.05, Math.round((company.price / rng.int(70, 140)) * 100) / 100);
}

function billions(x: number): string {
  return x >= 10 ? `$${Math.round(x)} billion` : `$${x.toFixed(1)} billion`;
}

const t = (kind: NewsEventKind, polarity: Polarity, weight: number, phrasings: NewsTemplate['phrasings'], companies: 1 | 2 = 1): NewsTemplate => ({
  kind,
  polarity,
  weight,
  companies,
  phrasings,
});

/**
 * All templates. Weights (sum 92) give 39 % positive, 41 % negative and 20 % neutral headlines.
 * Numbers (EPS, revenue, percentages, price targets, job counts) are drawn per headline and are
 * consistent with the template's direction (a beat's EPS is above the estimate, an upgrade's price
 * target is above the company's reference price, a dividend cut is a decrease …).
 */
export const NEWS_TEMPLATES: readonly NewsTemplate[] = [
  t('earnings-beat', 'positive', 10, [
    ({ rng, co, company, time }) => {
      const est = eps(rng, company);
      const act = est + Math.max(0.01, Math.round(est * (0.02 + rng.float() * 0.2) * 100) / 100);
      return `${co} ${lastQuarter(time).q} EPS of ${usd(act)} beats estimates of ${usd(est)}`;
    },
    ({ rng, co, time }) => `${co} tops ${lastQuarter(time).word}-quarter profit estimates as revenue jumps ${rng.int(3, 25)}%; shares ${rng.pick(['rise', 'gain', 'climb'])}`,
    ({ rng, co, company }) => {
      const rev = revenueScale(company) * (1 + rng.float() * 0.2);
      return `${co} beats Wall Street expectations with quarterly revenue of ${billions(rev)}`;
    },
    ({ rng, co }) => `${co} shares surge after strong earnings beat; ${rng.pick(['cloud', 'services', 'subscription', 'international'])} sales soar`,
  ]),
  t('earnings-miss', 'negative', 9, [
    ({ rng, co, company, time }) => {
      const est = eps(rng, company) + 0.05;
      const act = Math.max(0.01, est - Math.max(0.01, Math.round(est * (0.03 + rng.float() * 0.25) * 100) / 100));
      return `${co} ${lastQuarter(time).q} EPS of ${usd(act)} misses estimates of ${usd(est)}`;
    },
    ({ rng, co, time }) => `${co} misses ${lastQuarter(time).word}-quarter estimates as sales fall ${rng.int(2, 18)}%; shares slide`,
    ({ rng, co }) => `${co} shares plunge ${rng.int(4, 19)}% after weak quarterly results disappoint investors`,
    ({ rng, co, company }) => `${co} reports disappointing quarter, revenue of ${billions(revenueScale(company) * (0.8 + rng.float() * 0.1))} falls short of forecasts`,
  ]),
  t('analyst-upgrade', 'positive', 7, [
    ({ rng, co, company }) => `${rng.pick(ANALYST_FIRMS)} upgrades ${co} to ${rng.pick(UPGRADE_RATINGS)}, raises price target to ${priceTarget(company.price * (1.1 + rng.float() * 0.25))}`,
    ({ rng, co, company }) => `${co} upgraded to ${rng.pick(UPGRADE_RATINGS)} at ${rng.pick(ANALYST_FIRMS)} on strong growth outlook; target ${priceTarget(company.price * (1.1 + rng.float() * 0.3))}`,
    ({ rng, co }) => `${co} gains after ${rng.pick(ANALYST_FIRMS)} upgrade, citing improving margins`,
  ]),
  t('analyst-downgrade', 'negative', 7, [
    ({ rng, co, company }) => `${rng.pick(ANALYST_FIRMS)} downgrades ${co} to ${rng.pick(DOWNGRADE_RATINGS)}, cuts price target to ${priceTarget(company.price * (0.7 + rng.float() * 0.22))}`,
    ({ rng, co, company }) => {
      const from = company.price * (1 + rng.float() * 0.1);
      return `${co} downgraded at ${rng.pick(ANALYST_FIRMS)} on weak demand; price target cut to ${priceTarget(from * (0.7 + rng.float() * 0.2))} from ${priceTarget(from)}`;
    },
    ({ rng, co }) => `${co} falls after ${rng.pick(ANALYST_FIRMS)} downgrade warns of slowing sales`,
  ]),
  t('guidance-raised', 'positive', 5, [
    ({ rng, co, company }) => `${co} raises full-year revenue outlook to ${billions(revenueScale(company) * 4 * (1.02 + rng.float() * 0.1))}`,
    ({ rng, co }) => `${co} boosts annual profit forecast on strong demand, shares jump ${rng.int(2, 12)}%`,
    ({ co }) => `${co} lifts guidance after record quarter`,
  ]),
  t('guidance-cut', 'negative', 5, [
    ({ rng, co, company }) => `${co} cuts full-year revenue outlook to ${billions(revenueScale(company) * 4 * (0.8 + rng.float() * 0.15))}, citing weak demand`,
    ({ rng, co }) => `${co} slashes annual profit forecast; shares tumble ${rng.int(3, 20)}%`,
    ({ co }) => `${co} lowers guidance as costs mount and sales slow`,
  ]),
  t('record-revenue', 'positive', 4, [
    ({ rng, co, company }) => `${co} posts record quarterly revenue of ${billions(revenueScale(company) * (1.1 + rng.float() * 0.2))}`,
    ({ rng, co }) => `${co} reports record sales, up ${rng.int(8, 40)}% from a year earlier`,
    ({ co }) => `${co} hits all-time high revenue on booming demand`,
  ]),
  t('buyback', 'positive', 4, [
    ({ rng, co, company }) => `${co} rewards shareholders with ${billions(Math.max(1, revenueScale(company) * (0.1 + rng.float() * 0.6)))} share buyback`,
    ({ rng, co }) => `${co} board approves new ${billions(1 + rng.float() * 40)} stock repurchase program, shares rise`,
    ({ co }) => `${co} boosts buyback, signaling confidence in growth`,
  ]),
  t('dividend-hike', 'positive', 3, [
    ({ rng, co, company }) => {
      const pct = rng.int(3, 15);
      const d = Math.max(0.05, Math.round((company.price / rng.int(120, 250)) * 100) / 100);
      return `${co} raises quarterly dividend ${pct}% to ${usd(d)} per share`;
    },
    ({ rng, co }) => `${co} increases dividend for ${rng.int(5, 60)}th consecutive year`,
    ({ rng, co }) => `${co} boosts payout to shareholders with ${rng.int(4, 12)}% dividend hike`,
  ]),
  t('dividend-cut', 'negative', 2, [
    ({ rng, co }) => `${co} cuts quarterly dividend by ${rng.pick([25, 30, 40, 50, 60])}% amid cash squeeze`,
    ({ co }) => `${co} slashes dividend as earnings slump`,
    ({ co }) => `${co} suspends dividend, shares sink`,
  ]),
  t(
    'acquisition',
    'positive',
    3,
    [
      ({ rng, co, co2 }) => `${co} to acquire ${co2} for ${billions(5 + rng.float() * 80)} in deal hailed by investors`,
      ({ rng, co, co2, company2 }) => `${co} agrees to buy ${co2} at ${usd(company2.price * (1.2 + rng.float() * 0.3))} per share, a ${rng.int(20, 45)}% premium`,
      ({ co, co2 }) => `${co} wins approval for takeover of ${co2}; shares of both gain`,
    ],
    2,
  ),
  t('data-breach', 'negative', 3, [
    ({ rng, co }) => `${co} discloses data breach exposing ${(0.2 + rng.float() * 20).toFixed(1)} million customer records`,
    ({ co }) => `${co} hit by cyberattack; hackers stole customer data, company says`,
    ({ rng, co }) => `${co} shares fall after breach of ${int(rng.int(50, 900) * 1000)} user accounts`,
  ]),
  t('lawsuit', 'negative', 4, [
    ({ rng, co }) => `${co} sued by ${rng.pick(['DOJ', 'FTC', 'SEC', 'state attorneys general', 'shareholders'])} over ${rng.pick(['antitrust violations', 'misleading statements', 'fraud allegations', 'deceptive practices'])}`,
    ({ rng, co }) => `${co} faces class-action lawsuit alleging ${rng.pick(['fraud', 'negligence', 'illegal price fixing', 'privacy violations'])}`,
    ({ rng, co }) => `Jury orders ${co} to pay ${billions(0.2 + rng.float() * 3)} in damages in patent lawsuit`,
  ]),
  t('layoffs', 'negative', 4, [
    ({ rng, co }) => `${co} to cut ${int(rng.int(2, 150) * 100)} jobs in restructuring`,
    ({ rng, co }) => `${co} announces layoffs affecting ${rng.int(3, 15)}% of workforce amid slump`,
    ({ co }) => `${co} lays off staff as demand weakens`,
  ]),
  t('ceo-departure', 'negative', 2, [
    ({ rng, co }) => `${co} CEO ${personName(rng)} resigns abruptly; shares drop`,
    ({ co }) => `${co} ousts chief executive after clash with board`,
    ({ rng, co }) => `${co} CEO steps down unexpectedly amid ${rng.pick(['probe', 'scandal', 'turmoil', 'losses'])}`,
  ]),
  t('product-recall', 'negative', 2, [
    ({ rng, co, company }) => `${co} recalls ${int(rng.int(5, 900) * 1000)} ${rng.pick(productsOf(company).recall)}`,
    ({ rng, co, company }) => `${co} issues recall of ${rng.pick(productsOf(company).recall)} over safety defect`,
    ({ co }) => `Regulators force ${co} recall after injury reports`,
  ]),
  t('conference', 'neutral', 4, [
    ({ rng, co, time }) => `${co} to present at ${rng.pick(CONFERENCES)} conference on ${futureDate(rng, time)}`,
    ({ rng, co, time }) => `${co} executives to speak at industry conference on ${futureDate(rng, time)}`,
  ]),
  t('results-date', 'neutral', 4, [
    ({ rng, co, time }) => `${co} to report ${lastQuarter(new Date(time.getTime() + 30 * 86_400_000)).word}-quarter results on ${futureDate(rng, time)}`,
    ({ rng, co, time }) => `${co} schedules earnings call for ${futureDate(rng, time)}`,
  ]),
  t('board-appointment', 'neutral', 4, [
    ({ rng, co }) => `${co} names ${personName(rng)} to board of directors`,
    ({ rng, co }) => `${co} appoints ${personName(rng)} as chief financial officer`,
    ({ rng, co }) => `${co} adds ${personName(rng)} to its board`,
  ]),
  t('product-launch', 'neutral', 4, [
    ({ rng, co, company }) => `${co} unveils ${rng.pick(productsOf(company).launch)}`,
    ({ rng, co, company, time }) => `${co} to launch ${rng.pick(productsOf(company).launch)} on ${futureDate(rng, time)}`,
    ({ rng, co, company }) => `${co} introduces ${rng.pick(productsOf(company).launch)} in the United States`,
  ]),
  t('annual-meeting', 'neutral', 2, [
    ({ rng, co, time }) => `${co} sets annual shareholder meeting for ${futureDate(rng, time)}`,
    ({ co }) => `${co} files proxy statement ahead of annual meeting`,
  ]),
];
