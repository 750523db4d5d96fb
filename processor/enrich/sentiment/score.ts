import winkSentiment from 'wink-sentiment';
import { annotate, type AfinnToken } from './afinn.js';
import {
  CLAUSE_WORDS,
  CONCESSIVE_WORDS,
  CONTEXT_NOUNS,
  CONTRAST_WORDS,
  MOVE_BY_FORM,
  NEGATOR_PAIRS,
  NEGATORS,
  NEUTRALISED,
  TERM_BY_FORM,
} from './lexicon.js';
import { COMPILED_PHRASE_RULES, PHRASE_RULES_BY_WORD } from './phrases.js';

/** Three-way polarity of a headline. */
export type SentimentLabel = 'positive' | 'negative' | 'neutral';

/** Result of `scoreRules` (the financial rules alone). */
export interface HeadlineSentiment {
  /**
   * Sum of the valences of the terms that fired, on AFINN-165's scale: each term contributes −5…+5
   * (financial terms ±2 moderate, ±3 strong), sign-flipped when negated, weighted 0.5× before "but"
   * and 1.5× after it, 0.5× inside a "despite …" clause. Unbounded; headlines mostly fall in −8…+8.
   * Rounded to 2 decimals.
   */
  score: number;
  /** `score` divided by the number of word tokens (as the `sentiment` npm package's `comparative`); 4 decimals. */
  comparative: number;
  /** `positive` when `score ≥ POSITIVE_THRESHOLD`, `negative` when `score ≤ NEGATIVE_THRESHOLD`, else `neutral`. */
  label: SentimentLabel;
  /**
   * The terms that fired, in text order, deduplicated: financial phrase ids ("beats estimates"),
   * financial words ("downgrade"), movement pairs ("costs soar"), AFINN words ("strong"); a negated
   * term is prefixed "not " ("not miss").
   */
  matched: string[];
  /**
   * The part of `score` given by the financial rules proper — phrase rules, movement pairs and the
   * finance lexicon (`phrases.ts`, `lexicon.ts`), negation and weights applied — without the generic
   * AFINN-165 words. Same scale as `score`; 2 decimals. Read by the combination gate (`gate.ts`).
   */
  financialScore: number;
}

/**
 * Label thresholds on `score`. A headline needs at least one moderate cue (AFINN ±2, e.g. one
 * financial term) to leave `neutral`; a lone weak AFINN word (±1: "boost", "strike") does not.
 * Chosen a priori from AFINN's scale (Nielsen 2011: ±1 weak … ±5 very strong), not fitted to data.
 */
export const POSITIVE_THRESHOLD = 2;
/** See `POSITIVE_THRESHOLD`. */
export const NEGATIVE_THRESHOLD = -2;

/** Maps a score to its label with the documented thresholds. */
export function labelForScore(score: number): SentimentLabel {
  if (score >= POSITIVE_THRESHOLD) return 'positive';
  if (score <= NEGATIVE_THRESHOLD) return 'negative';
  return 'neutral';
}

interface Tok {
  lower: string;
  /** Original spelling (for case-sensitive checks such as "Fed"). */
  text: string;
  /** AFINN/emoji valence of this token (`afinn.ts`; a bigram's score sits on its first token). */
  afinn: number;
  /** 2 when this token starts an AFINN bigram. */
  span: number;
  /**
   * A name, not vocabulary: the word after a `$` (cashtag `$LOW`), an all-caps acronym in a headline
   * that is not written in capitals ("UPS", "GM"), or a capitalised word inside a sentence-case
   * headline ("Victor", "Moody's"). Names match no rule and carry no AFINN valence.
   */
  name: boolean;
  /** An acronym or cashtag symbol: also kept out of phrase rules (a proper noun may start one: "Chapter 11"). */
  symbol: boolean;
  /** Only words may be negated (wink-sentiment does not negate emoji either). */
  negatable: boolean;
  isWord: boolean;
  /** Covered by a phrase, movement or term unit; its AFINN valence no longer counts. */
  claimed: boolean;
  /** Drops its AFINN valence (context noun of a movement, negator that fired, neutralised word). */
  silenced: boolean;
}

interface Segment {
  /** Indices into the token array. */
  toks: number[];
  weight: number;
}

interface Unit {
  /** Index (into the segment's token list) of the unit's first and last token. */
  first: number;
  last: number;
  valence: number;
  id: string;
  /** Whether a preceding negator may flip it. */
  negatable: boolean;
  /** Phrase rules are listed in `matched` even at valence 0 ("in line with expectations"). */
  phrase?: boolean;
}

const CLAUSE_PUNCTUATION = new Set([',', ';', ':', '!', '?', '(', ')', '[', ']', '|', '"', '“', '”']);
const DASHES = new Set(['-', '–', '—', '/']);
const round = (n: number, digits: number): number => {
  const f = 10 ** digits;
  const r = Math.round(n * f) / f;
  return Object.is(r, -0) ? 0 : r;
};

const LETTER_START = /^[A-Za-z]/;
const LONG_WORD = /^[A-Za-z]{4,}$/;
const LOWER_START = /^[a-z]/;
/** Token tags the rules read. */
const SCORED_TAGS = new Set(['word', 'number', 'hashtag', 'emoji', 'emoticon', 'currency', 'symbol']);

/** All-caps words that are finance vocabulary, not names ("EPS beats", "EBITDA falls"). */
const VOCABULARY_ACRONYMS = new Set(['EPS', 'EBITDA', 'GDP', 'CPI', 'PMI']);

/**
 * How a headline is capitalised: `shouting` when most words are all caps (then acronyms cannot be
 * told apart); `sentenceCase` when most words after the first (4+ letters) start lower-case, so a
 * capitalised word inside it is a proper noun. Title-case headlines are neither.
 */
function casing(wink: AfinnToken[]): { shouting: boolean; sentenceCase: boolean } {
  // Plain loops: this runs for every headline (see the speed figure in the README).
  let words = 0;
  let caps = 0;
  let later = 0;
  let lowerStart = 0;
  for (const w of wink) {
    if (w.tag !== 'word' || !LETTER_START.test(w.value)) continue;
    words++;
    if (w.value.length > 1 && w.value === w.value.toUpperCase()) caps++;
    if (words > 1 && LONG_WORD.test(w.value)) {
      later++;
      if (LOWER_START.test(w.value)) lowerStart++;
    }
  }
  return { shouting: words > 0 && caps / words > 0.5, sentenceCase: later > 0 && lowerStart / later >= 0.5 };
}

/**
 * Splits the annotated `wink-tokenizer` tokens into clauses: at clause punctuation, at dashes with a space on
 * either side ("$ACME - Acme …", not "sell-off"), and before clause words ("as", "but", "despite", …).
 */
function tokenize(text: string, wink: AfinnToken[]): { toks: Tok[]; segments: Segment[] } {
  const style = casing(wink);
  const toks: Tok[] = [];
  const segments: Segment[] = [];
  let current: number[] = [];
  let cursor = 0;
  const close = (): void => {
    if (current.length > 0) segments.push({ toks: current, weight: 1 });
    current = [];
  };
  for (let k = 0; k < wink.length; k++) {
    const w = wink[k]!;
    const found = text.indexOf(w.value, cursor);
    const start = found >= 0 ? found : cursor;
    const end = start + w.value.length;
    cursor = found >= 0 ? end : cursor;
    if (w.tag === 'punctuation' || w.tag === 'alien' || w.tag === 'quoted_phrase') {
      const intraWord = DASHES.has(w.value) && /\S/.test(text[start - 1] ?? ' ') && /\S/.test(text[end] ?? ' ');
      if (CLAUSE_PUNCTUATION.has(w.value) || (DASHES.has(w.value) && !intraWord)) close();
      continue; // "." (abbreviations: "Inc.", "U.S."), intra-word hyphens, apostrophes: not tokens
    }
    if (!SCORED_TAGS.has(w.tag)) continue;
    const lower = (w.tag === 'hashtag' ? w.value.slice(1) : w.value).toLowerCase();
    const next = wink[k + 1]?.value.toLowerCase();
    if (w.tag === 'word' && CLAUSE_WORDS.has(lower) && !(lower === 'yet' && next === 'to')) close();
    const afinn = w.score ?? 0;
    const prev = wink[k - 1];
    const atStart = current.length === 0 || (current.length === 1 && CLAUSE_WORDS.has(lower));
    const symbol =
      w.tag === 'word' &&
      ((prev?.tag === 'currency' && prev.value === '$') ||
        (!style.shouting && /^[A-Z][A-Z0-9&]+$/.test(w.value) && !VOCABULARY_ACRONYMS.has(w.value)));
    const name = symbol || (w.tag === 'word' && style.sentenceCase && toks.length > 0 && !atStart && /^[A-Z][a-z]/.test(w.value));
    toks.push({
      lower,
      text: w.value,
      name,
      symbol,
      afinn,
      span: w.grouped ? 2 : 1,
      negatable: w.tag === 'word' || w.tag === 'hashtag',
      isWord: w.tag === 'word' || w.tag === 'hashtag' || w.tag === 'emoji' || w.tag === 'emoticon',
      claimed: false,
      silenced: false,
    });
    current.push(toks.length - 1);
  }
  close();
  // Contrast and concession weights (see lexicon.ts CONTRAST_WORDS / CONCESSIVE_WORDS).
  let lastContrast = -1;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const opener = toks[s.toks[0]!]!;
    const after = toks[s.toks[1] ?? -1]?.lower;
    if (CONTRAST_WORDS.has(opener.lower) && !(opener.lower === 'yet' && after === 'to')) lastContrast = i;
    if (CONCESSIVE_WORDS.has(opener.lower)) s.weight *= 0.5;
  }
  if (lastContrast >= 0) for (let i = 0; i < segments.length; i++) segments[i]!.weight *= i < lastContrast ? 0.5 : 1.5;
  return { toks, segments };
}

/** Index of the token that covers character `offset` of a clause string (`starts`: each token's offset). */
function tokenAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  while (lo + 1 < starts.length && starts[lo + 1]! <= offset) lo++;
  return lo;
}

/** Phrase rules over one clause; claims the tokens of each match. */
function phraseUnits(seg: Segment, toks: Tok[]): Unit[] {
  const units: Unit[] = [];
  // Only rules that spell one of this clause's words can match (`CompiledPhraseRule.words`); they
  // still run in their order, so an earlier rule claims its tokens first.
  let candidates: boolean[] | undefined;
  for (const i of seg.toks) {
    const ids = PHRASE_RULES_BY_WORD.get(toks[i]!.lower);
    if (!ids) continue;
    candidates ??= new Array<boolean>(COMPILED_PHRASE_RULES.length).fill(false);
    for (const id of ids) candidates[id] = true;
  }
  if (!candidates) return units;
  const starts: number[] = [];
  let str = '';
  for (const i of seg.toks) {
    if (str) str += ' ';
    starts.push(str.length);
    const t = toks[i]!;
    str += t.symbol ? t.text : t.lower; // symbols keep their capitals, so no lower-case rule matches them
  }
  for (let r = 0; r < COMPILED_PHRASE_RULES.length; r++) {
    if (!candidates[r]) continue;
    const rule = COMPILED_PHRASE_RULES[r]!;
    rule.regex.lastIndex = 0;
    for (let m = rule.regex.exec(str); m; m = rule.regex.exec(str)) {
      if (m[0].length === 0) {
        rule.regex.lastIndex++;
        continue;
      }
      const first = tokenAt(starts, m.index);
      const last = tokenAt(starts, m.index + m[0].length - 1);
      let free = true;
      for (let p = first; p <= last; p++) if (toks[seg.toks[p]!]!.claimed) free = false;
      if (!free) continue;
      for (let p = first; p <= last; p++) toks[seg.toks[p]!]!.claimed = true;
      units.push({ first, last, valence: rule.valence, id: rule.id, negatable: true, phrase: true });
    }
  }
  return units;
}

const NUMBER = /^[\d.,]+$/;
/** Units of a quantified move: "5%", "200 points", "25 bps", "30 cents", "10 paise". */
const MOVE_UNITS: ReadonlySet<string> = new Set(['%', 'pc', 'percent', 'per', 'points', 'point', 'pts', 'pt', 'bps', 'bp', 'basis', 'cents', 'paise']);
/** Verbs of a market's session result: "ends higher", "closes lower", "opens up", "settles down". */
const CLOSE_VERBS: ReadonlySet<string> = new Set([
  'end', 'ends', 'ended', 'ending', 'close', 'closes', 'closed', 'closing', 'finish', 'finishes', 'finished',
  'settle', 'settles', 'settled', 'open', 'opens', 'opened', 'trade', 'trades', 'traded', 'trading',
]);
/** "higher 5%": a number and a unit right after the movement word at `p`. */
function quantifiedAfter(seg: Segment, toks: readonly Tok[], p: number): boolean {
  return NUMBER.test(tokAt(seg, toks, p + 1)?.lower ?? '') && MOVE_UNITS.has(tokAt(seg, toks, p + 2)?.lower ?? '');
}
/** "5% higher", "200 points lower": a number and a unit right before the movement word at `first`. */
function quantifiedBefore(seg: Segment, toks: readonly Tok[], first: number): boolean {
  return MOVE_UNITS.has(tokAt(seg, toks, first - 1)?.lower ?? '') && NUMBER.test(tokAt(seg, toks, first - 2)?.lower ?? '');
}

/** Token at position `p` of a clause, or undefined outside it. */
function tokAt(seg: Segment, toks: readonly Tok[], p: number): Tok | undefined {
  return p >= 0 && p < seg.toks.length ? toks[seg.toks[p]!] : undefined;
}

/** Movement words with the polarity of what moves (lexicon.ts MOVES × CONTEXT_NOUNS). */
function moveUnits(seg: Segment, toks: Tok[]): Unit[] {
  const units: Unit[] = [];
  for (let p = 0; p < seg.toks.length; p++) {
    const t = tokAt(seg, toks, p)!;
    const move = t.name ? undefined : MOVE_BY_FORM.get(t.lower);
    if (!move || t.claimed) continue;
    const first = p;
    let strength: number = move.strength;
    // Adjacent movement words are one movement: "record high", "record low" ("record" only
    // intensifies), "edges higher", "inches up" (same direction; the stronger word counts).
    for (let next = tokAt(seg, toks, p + 1); next && !next.claimed && !next.name && MOVE_BY_FORM.has(next.lower); next = tokAt(seg, toks, p + 1)) {
      const nm = MOVE_BY_FORM.get(next.lower)!;
      const cur = MOVE_BY_FORM.get(tokAt(seg, toks, p)!.lower)!;
      if (tokAt(seg, toks, p)!.lower !== 'record' && nm.direction !== cur.direction) break;
      tokAt(seg, toks, p)!.claimed = true;
      strength = tokAt(seg, toks, p)!.lower === 'record' ? nm.strength : Math.max(strength, nm.strength);
      p++;
    }
    const verb = tokAt(seg, toks, p)!;
    const m = MOVE_BY_FORM.get(verb.lower)!;
    verb.claimed = true;
    // What moves: an object right after ("cuts costs", "narrows loss"), else the nearest subject before.
    let noun: { pos: number; polarity: 1 | -1 } | undefined;
    for (let q = p + 1; q <= p + 4 && !noun; q++) {
      const c = tokAt(seg, toks, q);
      const pol = c && !c.claimed && !c.name ? CONTEXT_NOUNS.get(c.lower) : undefined;
      if (pol) noun = { pos: q, polarity: pol };
    }
    for (let q = first - 1; q >= 0 && !noun; q--) {
      const c = tokAt(seg, toks, q)!;
      const pol = c.name ? undefined : CONTEXT_NOUNS.get(c.lower);
      if (pol && !c.claimed) noun = { pos: q, polarity: pol };
    }
    // A quantified move ("up 8%", "falls 30%", "200 points higher") or a market close ("ends higher",
    // "closed lower") is at least ordinary strength.
    if (strength < 2 && (quantifiedAfter(seg, toks, p) || quantifiedBefore(seg, toks, first) || CLOSE_VERBS.has(tokAt(seg, toks, first - 1)?.lower ?? ''))) strength = 2;
    const polarity = noun?.polarity ?? 1;
    let id = toks[seg.toks[first]!]!.lower;
    for (let q = first + 1; q <= p; q++) id += ` ${toks[seg.toks[q]!]!.lower}`;
    if (noun) {
      const n = tokAt(seg, toks, noun.pos)!;
      n.silenced = true; // its own AFINN valence (growth +2, loss −3) is part of this unit now
      id = noun.pos < p ? `${n.lower} ${id}` : `${id} ${n.lower}`;
    }
    units.push({ first, last: p, valence: m.direction * strength * polarity, id, negatable: true });
  }
  return units;
}

/** Single financial words (lexicon.ts TERMS). */
function termUnits(seg: Segment, toks: Tok[]): Unit[] {
  const units: Unit[] = [];
  for (let p = 0; p < seg.toks.length; p++) {
    const t = toks[seg.toks[p]!]!;
    const term = t.name ? undefined : TERM_BY_FORM.get(t.lower);
    if (!term || t.claimed) continue;
    t.claimed = true;
    units.push({ first: p, last: p, valence: term.valence, id: term.id, negatable: true });
  }
  return units;
}

/** Negators in a clause: position of their last token and the positions they cover. */
function negatorsOf(seg: Segment, toks: Tok[]): { end: number; positions: number[] }[] {
  const out: { end: number; positions: number[] }[] = [];
  for (let p = 0; p < seg.toks.length; p++) {
    const ta = toks[seg.toks[p]!]!;
    const tb = toks[seg.toks[p + 1] ?? -1];
    if (ta.name) continue;
    const a = ta.lower;
    const b = tb && !tb.name ? tb.lower : undefined;
    if (b !== undefined && NEGATOR_PAIR_KEYS.has(`${a} ${b}`)) {
      out.push({ end: p + 1, positions: [p, p + 1] });
      p++;
    } else if (NEGATORS.has(a)) {
      out.push({ end: p, positions: [p] });
    }
  }
  return out;
}

const NEGATOR_PAIR_KEYS: ReadonlySet<string> = new Set(NEGATOR_PAIRS.map(([x, y]) => `${x} ${y}`));

/** The first negator ending at most `NEGATION_GAP` tokens before position `first`, none of whose tokens is at or after it. */
function negatorBefore(negators: readonly { end: number; positions: number[] }[], first: number): { end: number; positions: number[] } | undefined {
  for (const n of negators) {
    if (n.end >= first || first - n.end - 1 > NEGATION_GAP) continue;
    let inside = false;
    for (const q of n.positions) if (q >= first) inside = true;
    if (!inside) return n;
  }
  return undefined;
}

/** Largest number of tokens allowed between a negator and the term it negates ("not expected to miss"). */
const NEGATION_GAP = 3;

/**
 * Scores a financial headline: wink-sentiment's AFINN-165 valences corrected by financial rules.
 *
 * Steps, per clause (clauses split at punctuation and words such as "as", "but", "despite"):
 * 1. phrase rules (`phrases.ts`: "beats estimates", "cuts guidance", "price target raised", …);
 * 2. movement words × what moves (`lexicon.ts` MOVES, CONTEXT_NOUNS: "costs soar" < 0, "narrows loss" > 0);
 * 3. single financial words (`lexicon.ts` TERMS: "downgrade", "layoffs", "buyback", …);
 * 4. remaining AFINN-165 words, minus the ones neutralised for finance (`lexicon.ts` NEUTRALISED);
 * 5. negation: a negator ("not", "n't", "no longer", "fails to", "avoids", …) up to 3 tokens before a
 *    scored term flips its sign; this replaces wink-sentiment's own two-token negation;
 * 6. weights: 0.5× before "but"/"however"/"yet" and 1.5× after (VADER's rule); 0.5× in a
 *    "despite"/"although" clause.
 *
 * @param text the headline (any length; empty text scores 0, neutral).
 * @returns `{ score, comparative, label, matched }`; see `HeadlineSentiment` for scale and units.
 * @throws TypeError when `text` is not a string.
 */
export function scoreRules(text: string, tokens?: AfinnToken[]): HeadlineSentiment {
  if (typeof text !== 'string') throw new TypeError('scoreRules: text must be a string');
  const wink = tokens ?? annotate(text);
  const { toks, segments } = tokenize(text, wink);

  for (const t of toks) {
    if ((NEUTRALISED.has(t.lower) && t.span === 1) || t.name) t.silenced = true;
  }
  // AFINN's bigram "fed up" (−3) misreads "Fed" (the Federal Reserve): "Fed up 25bp" is not anger.
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.span === 2 && t.text === 'Fed') {
      t.silenced = true;
      if (toks[i + 1]) toks[i + 1]!.silenced = true;
    }
  }

  let score = 0;
  let financialScore = 0;
  const fired: { pos: number; id: string }[] = [];
  let tokenBase = 0;
  for (const seg of segments) {
    const units = [...phraseUnits(seg, toks), ...moveUnits(seg, toks), ...termUnits(seg, toks)];
    const financialUnits = new Set(units);
    const negators = negatorsOf(seg, toks);
    const negatorTokens = new Set<number>();
    for (const n of negators) for (const q of n.positions) negatorTokens.add(q);
    // AFINN words left over (negators' own valence is added below only if they negated nothing).
    for (let p = 0; p < seg.toks.length; p++) {
      const i = seg.toks[p]!;
      const t = toks[i]!;
      if (t.claimed || t.silenced || t.afinn === 0 || negatorTokens.has(p)) continue;
      const id = t.span === 2 ? `${t.lower} ${toks[i + 1]?.lower ?? ''}`.trim() : t.lower;
      units.push({ first: p, last: p + t.span - 1, valence: t.afinn, id, negatable: t.negatable });
    }
    const usedNegators = new Set<number>();
    if (negators.length > 0) {
      for (const u of units) {
        const neg = negatorBefore(negators, u.first);
        if (neg && u.negatable && u.valence !== 0) {
          u.valence = -u.valence;
          u.id = `not ${u.id}`;
          for (const q of neg.positions) usedNegators.add(q);
        }
      }
    }
    for (const p of negatorTokens) {
      const t = toks[seg.toks[p]!]!;
      if (!usedNegators.has(p) && !t.claimed && !t.silenced && t.afinn !== 0) {
        units.push({ first: p, last: p, valence: t.afinn, id: t.lower, negatable: false });
      }
    }
    for (const u of units) {
      score += u.valence * seg.weight;
      if (financialUnits.has(u)) financialScore += u.valence * seg.weight;
      if (u.valence !== 0 || u.phrase) fired.push({ pos: tokenBase + u.first, id: u.id });
    }
    tokenBase += seg.toks.length;
  }
  score = round(score, 2);
  let words = 0;
  for (const t of toks) if (t.isWord) words++;
  const matched = [...new Set(fired.sort((a, b) => a.pos - b.pos).map((f) => f.id))];
  return { score, comparative: round(score / Math.max(1, words), 4), label: labelForScore(score), matched, financialScore: round(financialScore, 2) };
}

/**
 * The baseline the financial rules are measured against: plain wink-sentiment (AFINN-165 with its own
 * negation, no financial corrections), labelled with the same thresholds as `scoreRules`.
 * wink-sentiment looks words up in plain objects, so a name on `Object.prototype` ("constructor")
 * makes its score NaN or a string; then the sum of the numeric token scores it did assign is used, so
 * the baseline stays a number.
 */
export function scoreWithWinkOnly(text: string): { score: number; label: SentimentLabel } {
  const result = winkSentiment(text);
  let score: unknown = result.score;
  if (typeof score !== 'number' || !Number.isFinite(score)) {
    score = (result.tokenizedPhrase ?? []).reduce((s, t) => s + (typeof t.score === 'number' && Number.isFinite(t.score) ? t.score : 0), 0);
  }
  return { score: score as number, label: labelForScore(score as number) };
}
