/**
 * Word-level financial corrections to AFINN-165, on AFINN's scale (integer valences, −5…+5 per term;
 * ±2 "moderate", ±3 "strong").
 *
 * Sources of the ideas (no word list below is copied from any of them; every entry was written by
 * hand for this project, with its reason beside it):
 * - AFINN-165, Finn Årup Nielsen (2011, 2015), as shipped inside `wink-sentiment` (MIT): the base
 *   valences these tables correct.
 * - Loughran & McDonald (2011), "When Is a Liability Not a Liability? Textual Analysis, Dictionaries,
 *   and 10-Ks", Journal of Finance 66(1): general-purpose sentiment lists misread finance
 *   (`liability`, `crude`, `share` are not sentiment there), and finance needs its own categories
 *   (Negative, Positive, Litigious, …). Only that idea and the category names are used; their lists
 *   are not copied.
 * - Malo et al. (2014), "Good debt or bad debt", JASIST 65(4): in economic text a movement word's
 *   polarity depends on what moves (profit rising is good, costs rising is bad). Only the idea is used
 *   (`MOVES` × `CONTEXT_NOUNS` below). That paper's data set (Financial PhraseBank, CC BY-NC-SA) was
 *   not used for development or evaluation.
 */

/** A hand-written financial term: every form scores `valence` (AFINN scale) instead of AFINN's value. */
export interface TermDef {
  /** Lower-case surface forms (one token each, as `wink-tokenizer` splits them). */
  forms: readonly string[];
  valence: number;
  /** Loughran–McDonald-style category the entry belongs to (documentation only). */
  category: 'positive' | 'negative' | 'litigious';
  reason: string;
}

/** Single-word financial terms; `matched` shows the form that occurred. */
export const TERMS: readonly TermDef[] = [
  // Positive
  { forms: ['beat', 'beats', 'beating'], valence: 2, category: 'positive', reason: 'result above a benchmark (estimates, rivals); absent from AFINN' },
  { forms: ['upgrade', 'upgrades', 'upgraded'], valence: 2, category: 'positive', reason: 'analyst or credit-rating upgrade' },
  { forms: ['outperform', 'outperforms', 'outperformed', 'overweight'], valence: 2, category: 'positive', reason: 'buy-side rating or relative performance above the market' },
  { forms: ['buyback', 'buybacks', 'repurchase', 'repurchases'], valence: 2, category: 'positive', reason: 'returning cash to shareholders' },
  { forms: ['upbeat', 'bullish', 'tailwind', 'tailwinds'], valence: 2, category: 'positive', reason: 'positive outlook words absent from AFINN' },
  { forms: ['profitable', 'profitability', 'accretive', 'windfall', 'blockbuster'], valence: 2, category: 'positive', reason: 'positive earnings-quality words' },
  { forms: ['stellar', 'buoyant', 'buoyed', 'boom', 'booming', 'upside', 'bags', 'bagged'], valence: 2, category: 'positive', reason: 'strong results, demand or prospects; "bags an order" is Indian and British business English for winning one; absent from AFINN' },
  { forms: ['win', 'wins', 'won'], valence: 2, category: 'positive', reason: 'AFINN rates win +4 (emotional); a contract or case win is a moderate positive' },
  // Negative
  { forms: ['miss', 'misses', 'missed'], valence: -2, category: 'negative', reason: 'result below a benchmark' },
  { forms: ['downgrade', 'downgrades', 'downgraded', 'underweight'], valence: -2, category: 'negative', reason: 'analyst or credit-rating downgrade' },
  { forms: ['downbeat', 'bearish', 'headwind', 'headwinds', 'downturn', 'slowdown'], valence: -2, category: 'negative', reason: 'negative outlook words absent from AFINN' },
  { forms: ['layoff', 'layoffs', 'redundancies', 'furlough', 'furloughs'], valence: -2, category: 'negative', reason: 'job cuts' },
  { forms: ['probe', 'probes', 'probed', 'investigation', 'investigations', 'subpoena', 'subpoenaed'], valence: -2, category: 'litigious', reason: 'regulatory or criminal investigation' },
  { forms: ['recall', 'recalls', 'recalled'], valence: -2, category: 'negative', reason: 'product recall' },
  { forms: ['default', 'defaults', 'defaulted', 'insolvency', 'liquidation', 'delisted', 'delisting'], valence: -3, category: 'negative', reason: 'credit event or loss of listing' },
  { forms: ['writedown', 'writedowns', 'writeoff', 'restatement', 'restates', 'dilution', 'dilutive', 'unprofitable', 'shortfall', 'selloff', 'rout'], valence: -2, category: 'negative', reason: 'negative accounting or market events absent from AFINN' },
  { forms: ['fine', 'fines', 'fined'], valence: -2, category: 'litigious', reason: 'a fine is a penalty; AFINN reads "fine" as +2 (fine weather)' },
  { forms: ['reject', 'rejects', 'rejected', 'block', 'blocks', 'blocked'], valence: -2, category: 'negative', reason: 'regulator, court or shareholder refusal (AFINN −1 understates it)' },
  { forms: ['delay', 'delays', 'delayed', 'halt', 'halts', 'halted', 'suspend', 'suspends', 'suspended'], valence: -2, category: 'negative', reason: 'interrupted business (AFINN −1 or absent)' },
  { forms: ['irregularities', 'indicted', 'indictment', 'sanctions', 'sanctioned', 'antitrust'], valence: -2, category: 'litigious', reason: 'legal exposure' },
  { forms: ['hackers', 'cyberattack', 'ransomware', 'walkout'], valence: -2, category: 'negative', reason: 'operational incidents absent from AFINN' },
  { forms: ['tepid', 'subdued', 'muted', 'bleak', 'weakest', 'jitters', 'spooked', 'rattled', 'volatile'], valence: -2, category: 'negative', reason: 'weak demand, results or market mood; absent from AFINN' },
  { forms: ['concern'], valence: -2, category: 'negative', reason: 'worry about a company or market (AFINN has "worry", not "concern"; the plural is a movement context noun: "concerns ease")' },
  { forms: ['weigh', 'weighs', 'weighed', 'weighing', 'drag', 'drags', 'dragged', 'dent', 'dents', 'dented'], valence: -2, category: 'negative', reason: '"X weighs on / drags / dents shares, profit": a cause of decline (AFINN −1 or absent)' },
  { forms: ['worsen', 'worsens', 'worsened', 'worsening', 'deteriorate', 'deteriorates', 'deteriorated', 'deteriorating', 'deterioration'], valence: -2, category: 'negative', reason: 'getting worse is bad whatever moves (not a movement word: "losses worsen" is not good news)' },
  { forms: ['turmoil', 'oust', 'ousts', 'ousted', 'ouster'], valence: -2, category: 'negative', reason: 'disorder, forced leadership change; absent from AFINN' },
];

/** A movement word: moves a quantity up (+1) or down (−1), with a strength in AFINN units. */
export interface MoveDef {
  forms: readonly string[];
  direction: 1 | -1;
  /** 1 weak (edges, dips), 2 ordinary (rises, falls), 3 strong (soars, plunges). */
  strength: 1 | 2 | 3;
}

/**
 * Movement words. Their valence is `direction × strength × polarity`, where `polarity` is that of the
 * nearest `CONTEXT_NOUNS` entry in the same clause (−1 for costs, losses, …; +1 otherwise: revenue,
 * shares, or a company as subject), so "costs soar" and "narrows loss" come out right.
 * AFINN scores only a few of these (gain +2, boost +1, collapse −2, …); its value is replaced.
 */
export const MOVES: readonly MoveDef[] = [
  { forms: ['surge', 'surges', 'surged', 'surging', 'soar', 'soars', 'soared', 'soaring', 'skyrocket', 'skyrockets', 'skyrocketed', 'rocket', 'rockets', 'rocketed', 'double', 'doubles', 'doubled', 'spike', 'spikes', 'spiked', 'spiking'], direction: 1, strength: 3 },
  { forms: ['jump', 'jumps', 'jumped', 'rally', 'rallies', 'rallied', 'climb', 'climbs', 'climbed', 'rise', 'rises', 'rose', 'risen', 'rising', 'gain', 'gains', 'gained', 'rebound', 'rebounds', 'rebounded', 'recover', 'recovers', 'recovered', 'advance', 'advances', 'advanced', 'increase', 'increases', 'increased', 'grow', 'grows', 'grew', 'grown', 'growing', 'expand', 'expands', 'expanded', 'widen', 'widens', 'widened', 'wider', 'improve', 'improves', 'improved', 'improving', 'accelerate', 'accelerates', 'accelerated', 'raise', 'raises', 'raised', 'raising', 'lift', 'lifts', 'lifted', 'boost', 'boosts', 'boosted', 'hike', 'hikes', 'hiked', 'pop', 'pops', 'popped', 'leap', 'leaps', 'leapt', 'strengthen', 'strengthens', 'strengthened', 'high', 'highs', 'record', 'jumping', 'rallying', 'climbing', 'gaining', 'rebounding', 'recovering', 'advancing', 'increasing', 'expanding', 'widening', 'accelerating', 'lifting', 'boosting', 'strengthening', 'upturn', 'upswing'], direction: 1, strength: 2 },
  { forms: ['edge', 'edges', 'edged', 'inch', 'inches', 'inched', 'higher', 'up', 'uptick', 'upticks', 'edging', 'inching'], direction: 1, strength: 1 },
  { forms: ['plunge', 'plunges', 'plunged', 'plunging', 'plummet', 'plummets', 'plummeted', 'tumble', 'tumbles', 'tumbled', 'crash', 'crashes', 'crashed', 'collapse', 'collapses', 'collapsed', 'tank', 'tanks', 'tanked', 'crater', 'craters', 'cratered', 'slash', 'slashes', 'slashed', 'halve', 'halves', 'halved', 'halving', 'nosedive', 'nosedives', 'nosedived', 'plummeting', 'tumbling', 'crashing', 'collapsing', 'tanking', 'slashing'], direction: -1, strength: 3 },
  { forms: ['fall', 'falls', 'fell', 'fallen', 'falling', 'drop', 'drops', 'dropped', 'decline', 'declines', 'declined', 'slide', 'slides', 'slid', 'sink', 'sinks', 'sank', 'sunk', 'slump', 'slumps', 'slumped', 'dive', 'dives', 'dived', 'shrink', 'shrinks', 'shrank', 'cut', 'cuts', 'cutting', 'lower', 'lowers', 'lowered', 'reduce', 'reduces', 'reduced', 'trim', 'trims', 'trimmed', 'weaken', 'weakens', 'weakened', 'slow', 'slows', 'slowed', 'slowing', 'stall', 'stalls', 'stalled', 'narrow', 'narrows', 'narrowed', 'lose', 'loses', 'lost', 'losing', 'lag', 'lags', 'lagged', 'slip', 'slips', 'slipped', 'sag', 'sags', 'sagged', 'low', 'lows', 'underperform', 'underperforms', 'underperformed', 'decrease', 'decreases', 'decreased', 'decreasing', 'declining', 'dropping', 'sliding', 'sinking', 'slumping', 'diving', 'shrinking', 'weakening', 'lowering', 'reducing', 'trimming', 'slipping', 'sagging', 'lagging', 'stalling', 'narrowing', 'retreat', 'retreats', 'retreated', 'retreating', 'erode', 'erodes', 'eroded', 'eroding', 'shed', 'sheds', 'shedding', 'contracted', 'contracting', 'downswing'], direction: -1, strength: 2 },
  { forms: ['dip', 'dips', 'dipped', 'dipping', 'ease', 'eases', 'eased', 'easing', 'down', 'downtick', 'downticks'], direction: -1, strength: 1 },
];

/**
 * Nouns that set a movement word's polarity. `-1`: more is worse for the company or the economy
 * (costs, losses, inflation, unemployment, …); `+1`: more is better (revenue, profit, shares, …).
 * A noun that sets a movement's polarity gives up its own AFINN valence (growth +2, loss −3), so the
 * pair counts once.
 */
export const CONTEXT_NOUNS: ReadonlyMap<string, 1 | -1> = new Map<string, 1 | -1>([
  ...(
    [
      'cost', 'costs', 'expense', 'expenses', 'loss', 'losses', 'debt', 'deficit', 'inflation', 'unemployment',
      'jobless', 'claims', 'layoffs', 'outflows', 'defaults', 'delinquencies', 'writedowns', 'impairments',
      'provisions', 'concerns', 'fears', 'worries', 'risk', 'risks', 'uncertainty', 'volatility', 'headwinds',
      'pressure', 'tariffs', 'complaints', 'churn', 'bankruptcies', 'foreclosures', 'shortages', 'delays',
    ] as const
  ).map((w) => [w, -1] as [string, -1]),
  ...(
    [
      'revenue', 'revenues', 'sales', 'profit', 'profits', 'earnings', 'income', 'eps', 'ebitda', 'margin',
      'margins', 'guidance', 'outlook', 'forecast', 'forecasts', 'dividend', 'dividends', 'payout', 'shares',
      'share', 'stock', 'stocks', 'target', 'rating', 'demand', 'orders', 'backlog', 'bookings', 'traffic',
      'growth', 'output', 'production', 'valuation', 'deposits', 'loans', 'inflows', 'confidence', 'jobs',
      'workforce', 'staff', 'headcount', 'payrolls',
    ] as const
  ).map((w) => [w, 1] as [string, 1]),
]);

/**
 * AFINN-165 words that are not sentiment in financial news; their AFINN valence is dropped.
 * Every entry has an AFINN-165 valence (a unit test checks it); "liability"/"liabilities", the classic
 * Loughran–McDonald example, have none, so there is nothing to neutralise. "cut"/"cuts" are handled
 * by `MOVES` instead.
 */
export const NEUTRALISED: ReadonlyMap<string, string> = new Map([
  ['share', 'equity unit, not "sharing" (AFINN +1)'],
  ['shares', 'equity units (AFINN +1)'],
  ['gross', 'gross margin / gross profit, not "disgusting" (AFINN −2)'],
  ['crude', 'crude oil, not "rude" (AFINN −1)'],
  ['interest', 'interest rates / stakes (AFINN +1)'],
  ['trust', 'trust banks, company names, trust funds (AFINN +1)'],
  ['united', 'company and country names (AFINN +1)'],
  ['free', '"free cash flow", "free float" (AFINN +1)'],
  ['top', '"top executive", "top shareholder" (AFINN +2); beating estimates is a phrase rule'],
  ['outstanding', '"shares outstanding" (AFINN +5)'],
  ['tender', '"tender offer" (AFINN +2)'],
  ['worth', '"worth $2 billion" (AFINN +2)'],
  ['care', '"health care" sector (AFINN +2)'],
  ['like', 'comparison, "like-for-like" (AFINN +2)'],
  ['matter', '"people familiar with the matter" (AFINN +1)'],
  ['matters', 'as "matter" (AFINN +1)'],
  ['demand', 'market demand is neutral; "strong"/"weak" carry the polarity (AFINN −1)'],
  ['debt', 'debt offerings and ratios are routine financing (AFINN −2); rising debt is a movement rule'],
  ['limited', '"Limited" in company names (AFINN −1)'],
  ['gold', 'the commodity (AFINN +2)'],
  ['stable', 'rating outlook "stable" is neutral (AFINN +2)'],
  ['settlement', 'trade settlement, legal settlement: outcome unknown (AFINN +1)'],
  ['reward', 'product name: "rewards card", "rewards program" (AFINN +2)'],
  ['rewards', 'as "reward" (AFINN +2)'],
  ['loyalty', 'product name: "loyalty program" (AFINN +3)'],
  ['moody', '"Moody\'s", the rating agency, not "moody" (AFINN −1)'],
  ['nifty', '"Nifty" (NIFTY 50), the National Stock Exchange of India index, not "clever" (AFINN +2)'],
  ['no', 'acts as a negator, handled by the negation rule (AFINN −1)'],
  ['profit', 'a reported figure ("Q2 profit of $3m") is neutral until it moves or beats something (AFINN +2, the positive threshold alone); "record profit", "profit rises" are movement rules'],
  ['profits', 'as "profit" (AFINN +2)'],
  ['asset', '"asset sale", "asset manager": business vocabulary (AFINN +2)'],
  ['assets', 'as "asset" (AFINN +2)'],
  ['leading', '"a leading provider of …": press-release boilerplate (AFINN +2)'],
  ['secured', '"secured notes", "secured loan": debt terms (AFINN +2)'],
  ['pay', '"to pay a dividend", "pay $2bn for …": routine (AFINN −1)'],
]);

/** Single tokens that negate the next scored term (wink-tokenizer splits "didn't" into "did" + "n't"). */
export const NEGATORS: ReadonlySet<string> = new Set([
  'not', 'no', 'never', "n't", 'without', 'cannot', 'nor', 'neither', 'none', 'didnt', 'doesnt', 'dont',
  'wont', 'isnt', 'wasnt', 'arent', 'cant', 'hasnt', 'havent', 'hadnt', 'couldnt', 'wouldnt', 'shouldnt',
  'avoid', 'avoids', 'avoided', 'avert', 'averts', 'averted',
]);

/**
 * Two-token negators ("no longer expects growth", "fails to beat"). Their own AFINN valence
 * ("fails" −2) is dropped when they negate something, so "fails to beat" counts once.
 */
export const NEGATOR_PAIRS: readonly (readonly [string, string])[] = [
  ['no', 'longer'],
  ['fail', 'to'], ['fails', 'to'], ['failed', 'to'], ['failing', 'to'],
  ['unable', 'to'], ['unlikely', 'to'], ['yet', 'to'],
  ['rules', 'out'], ['ruled', 'out'],
];

/** Words that end a clause: negation and movement context do not reach across them. */
export const CLAUSE_WORDS: ReadonlySet<string> = new Set([
  'but', 'however', 'yet', 'although', 'though', 'despite', 'notwithstanding', 'while', 'whereas', 'as',
  'after', 'amid', 'because', 'since', 'when', 'and',
]);

/**
 * Contrast (VADER, Hutto & Gilbert 2014, ICWSM: text before "but" counts 0.5×, after it 1.5×).
 * Concession: the clause a concessive word opens ("despite record sales") counts 0.5×.
 */
export const CONTRAST_WORDS: ReadonlySet<string> = new Set(['but', 'however', 'yet']);
/** See `CONTRAST_WORDS`. */
export const CONCESSIVE_WORDS: ReadonlySet<string> = new Set(['although', 'though', 'despite', 'notwithstanding']);

/** Lookup tables derived from the definitions above. */
export const TERM_BY_FORM: ReadonlyMap<string, { id: string; valence: number }> = new Map(
  TERMS.flatMap((t) => t.forms.map((f) => [f, { id: f, valence: t.valence }] as const)),
);
/** See `TERM_BY_FORM`. */
export const MOVE_BY_FORM: ReadonlyMap<string, MoveDef> = new Map(MOVES.flatMap((m) => m.forms.map((f) => [f, m] as const)));
