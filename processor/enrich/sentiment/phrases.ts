/**
 * Multi-word financial phrase rules, matched before single words. A phrase's valence (AFINN scale)
 * replaces the valences of every token it covers, so "misses revenue estimates" counts once.
 *
 * Patterns are regular expressions over one clause's tokens, lower-cased and joined by single spaces
 * (`wink-tokenizer` tokens: "price-target" is "price - target" with the hyphen dropped, "didn't" is
 * "did n't"). `GAP(n)` allows up to `n` arbitrary tokens ("raises full-year revenue guidance").
 * All rules were written by hand from common financial-news constructions; see `lexicon.ts` for the
 * sources of the ideas.
 */

/** A phrase rule; `id` is what appears in `news.sentiment.matched`. */
export interface PhraseRule {
  id: string;
  /** Regular-expression source over space-joined lower-case tokens. */
  pattern: string;
  valence: number;
  reason: string;
}

const any = (...words: string[]): string => `(?:${words.join('|')})`;
/** Up to `n` tokens of anything (lazy), each followed by a space. */
const GAP = (n: number): string => `(?:\\S+ ){0,${n}}?`;

const BENCHMARK = any('estimates?', 'expectations?', 'forecasts?', 'consensus', 'views?', 'projections?', 'targets?');
const GUIDE = any('guidance', 'outlook', 'forecasts?', 'targets?', 'projections?', 'views?');
const PAYOUT = any('dividends?', 'payouts?', 'distributions?');
const RAISE = any('raise', 'raises', 'raised', 'raising', 'lift', 'lifts', 'lifted', 'lifting', 'boost', 'boosts', 'boosted', 'up', 'ups', 'upped', 'hike', 'hikes', 'hiked', 'increase', 'increases', 'increased', 'improve', 'improves', 'improved', 'bump', 'bumps', 'bumped');
const LOWER = any('cut', 'cuts', 'cutting', 'lower', 'lowers', 'lowered', 'lowering', 'slash', 'slashes', 'slashed', 'reduce', 'reduces', 'reduced', 'trim', 'trims', 'trimmed', 'withdraw', 'withdraws', 'withdrew', 'pull', 'pulls', 'pulled', 'scrap', 'scraps', 'scrapped');
const ABOVE = any('beat', 'beats', 'beating', 'top', 'tops', 'topped', 'topping', 'exceed', 'exceeds', 'exceeded', 'exceeding', 'surpass', 'surpasses', 'surpassed', 'above', 'ahead of', 'better than');
const BELOW = `(?:${any('fall', 'falls', 'fell', 'falling', 'come', 'comes', 'came', 'coming')} )?${any('miss', 'misses', 'missed', 'missing', 'below', 'short of', 'shy of', 'trail', 'trails', 'trailed', 'worse than', 'under')}`;
const LEGAL = any('lawsuits?', 'suits?', 'case', 'charges', 'claims', 'probe', 'investigation', 'complaint');

/** Phrase rules, most specific first (an earlier match claims its tokens). */
export const PHRASE_RULES: readonly PhraseRule[] = [
  // Expectations
  { id: 'beats estimates', pattern: `${ABOVE} ${GAP(4)}${BENCHMARK}`, valence: 3, reason: 'results above analysts\' estimates: the standard positive earnings surprise' },
  { id: 'misses estimates', pattern: `${BELOW} ${GAP(4)}${BENCHMARK}`, valence: -3, reason: 'results below estimates: negative earnings surprise' },
  { id: 'in line with expectations', pattern: `${any('in line with', 'meets?', 'met', 'matches', 'matched', 'as')} ${GAP(2)}${any('estimates?', 'expectations?', 'expected', 'forecasts?', 'consensus')}`, valence: 0, reason: 'no surprise: neutral, and keeps "expected" words from scoring' },
  // Guidance and payouts
  { id: 'raises guidance', pattern: `${RAISE} ${GAP(3)}${GUIDE}`, valence: 3, reason: 'raised forward guidance or price target' },
  { id: 'raises guidance', pattern: `${GUIDE} ${any('is ', 'was ', 'gets ')}?${RAISE}`, valence: 3, reason: 'passive: "price target raised"' },
  { id: 'cuts guidance', pattern: `${LOWER} ${GAP(3)}${GUIDE}`, valence: -3, reason: 'lowered or withdrawn guidance or price target' },
  { id: 'cuts guidance', pattern: `${GUIDE} ${any('is ', 'was ', 'gets ')}?${LOWER}`, valence: -3, reason: 'passive: "guidance cut", "price target lowered"' },
  { id: 'profit warning', pattern: `${any('profit', 'earnings', 'sales', 'revenue')} ${any('warning', 'warnings')}`, valence: -3, reason: 'a company warning that results will fall short' },
  { id: 'raises dividend', pattern: `${RAISE} ${GAP(3)}${PAYOUT}`, valence: 3, reason: 'higher payout to shareholders' },
  { id: 'raises dividend', pattern: `${PAYOUT} ${any('hike', 'hikes', 'increase', 'increases', 'raise', 'boost')}`, valence: 3, reason: 'noun form: "dividend hike"' },
  { id: 'cuts dividend', pattern: `${any(LOWER, 'suspend', 'suspends', 'suspended', 'omit', 'omits', 'omitted', 'eliminate', 'eliminates', 'eliminated', 'halt', 'halts', 'halted')} ${GAP(3)}${PAYOUT}`, valence: -3, reason: 'lower or no payout' },
  { id: 'reinstates dividend', pattern: `${any('reinstate', 'reinstates', 'reinstated', 'resume', 'resumes', 'resumed', 'restore', 'restores', 'restored')} ${GAP(2)}${any(PAYOUT, 'guidance', 'buybacks?')}`, valence: 2, reason: 'payout or guidance restored' },
  // Profit and loss
  { id: 'swings to profit', pattern: `${any('swing', 'swings', 'swung', 'return', 'returns', 'returned', 'turn', 'turns', 'turned', 'back')} ${any('to', 'into')} ${GAP(2)}${any('profit', 'profitability', 'black', 'growth')}`, valence: 3, reason: 'from loss to profit' },
  { id: 'swings to loss', pattern: `${any('swing', 'swings', 'swung', 'turn', 'turns', 'turned', 'slip', 'slips', 'slipped', 'fall', 'falls', 'fell', 'plunge', 'plunges', 'plunged', 'sink', 'sinks', 'sank', 'tip', 'tips', 'tipped')} ${any('to', 'into')} ${GAP(2)}${any('loss', 'red', 'deficit', 'recession', 'contraction')}`, valence: -3, reason: 'from profit to loss, or an economy into recession' },
  { id: 'going concern', pattern: 'going concern', valence: -3, reason: 'auditor doubt that the company can continue' },
  { id: 'chapter 11', pattern: `chapter ${any('7', '11')}`, valence: -3, reason: 'US bankruptcy filing' },
  // Legal
  { id: 'lawsuit dismissed', pattern: `${any('win', 'wins', 'won', 'wins', 'secures', 'secured', 'gets', 'got')} ${GAP(1)}dismissal`, valence: 2, reason: 'a claim against the company thrown out' },
  { id: 'lawsuit dismissed', pattern: `${LEGAL} ${GAP(2)}${any('dismissed', 'dropped', 'thrown out', 'tossed')}`, valence: 2, reason: 'passive form' },
  { id: 'lawsuit dismissed', pattern: `${any('dismiss', 'dismisses', 'drop', 'drops', 'toss', 'tosses', 'tossed', 'close', 'closes', 'closed', 'end', 'ends', 'ended')} ${GAP(3)}${LEGAL}`, valence: 2, reason: 'active form ("judge dismisses lawsuit", "SEC ends probe")' },
  { id: 'hit with', pattern: `${any('hit', 'hits', 'slapped')} with`, valence: -2, reason: '"hit with a fine / lawsuit / verdict"' },
  { id: 'class action', pattern: 'class action', valence: -2, reason: 'shareholder or consumer class action' },
  { id: 'short seller', pattern: `short ${any('sellers?', 'report')}`, valence: -2, reason: 'a short seller\'s public case against the company' },
  // Operations
  { id: 'layoffs', pattern: `${any('lay', 'lays', 'laying', 'laid')} off`, valence: -2, reason: 'job cuts (verb form)' },
  { id: 'layoffs', pattern: `${any('job', 'jobs', 'workforce', 'staff', 'headcount')} ${any('cuts?', 'reductions?')}`, valence: -2, reason: 'job cuts (noun form)' },
  { id: 'data breach', pattern: `${any('data', 'security', 'cyber')} ${any('breach', 'breaches', 'attack', 'attacks', 'incident')}`, valence: -3, reason: 'security incident' },
  { id: 'sell-off', pattern: `sell off`, valence: -2, reason: 'broad selling ("sell-off")' },
  { id: 'shuts down', pattern: `${any('shut', 'shuts', 'shutting')} down`, valence: -2, reason: 'closing a business or plant' },
  { id: 'weight loss', pattern: 'weight loss', valence: 0, reason: 'a drug category ("weight-loss drug"), not a financial loss' },
  { id: 'all-time high', pattern: `all time ${any('high', 'highs')}`, valence: 2, reason: 'price at its highest' },
  { id: 'all-time low', pattern: `all time ${any('low', 'lows')}`, valence: -2, reason: 'price at its lowest' },
];

/** Compiled form of a rule, anchored at token boundaries. */
export interface CompiledPhraseRule extends PhraseRule {
  regex: RegExp;
  /**
   * Every lower-case word the pattern spells ("estimates?" gives "estimate" and "estimates"). A match
   * always contains one of them, so a clause with none of them cannot match and the regex is skipped
   * (most headlines match no phrase rule; this keeps scoring fast).
   */
  words: ReadonlySet<string>;
}

/** The literal lower-case words of a pattern (see `CompiledPhraseRule.words`). */
function literalWords(pattern: string): Set<string> {
  const words = new Set<string>();
  for (const m of pattern.matchAll(/[a-z]+(\?)?/g)) {
    const w = m[0].replace('?', '');
    words.add(w);
    if (m[1]) words.add(w.slice(0, -1));
  }
  return words;
}

/** `PHRASE_RULES` compiled once (global regexes; reset `lastIndex` before each use). */
export const COMPILED_PHRASE_RULES: readonly CompiledPhraseRule[] = PHRASE_RULES.map((r) => ({
  ...r,
  regex: new RegExp(`(?<=^| )(?:${r.pattern})(?= |$)`, 'g'),
  words: literalWords(r.pattern),
}));

/** Word → indices (into `COMPILED_PHRASE_RULES`) of the rules whose pattern spells it. */
export const PHRASE_RULES_BY_WORD: ReadonlyMap<string, readonly number[]> = (() => {
  const map = new Map<string, number[]>();
  COMPILED_PHRASE_RULES.forEach((r, i) => {
    for (const w of r.words) map.set(w, [...(map.get(w) ?? []), i]);
  });
  return map;
})();
