/**
 * AFINN-165 valences for `wink-tokenizer` tokens, looked up in `Map`s so that no word can hit a
 * property of `Object.prototype`.
 *
 * Why not `wink-sentiment` itself: it looks words up in plain objects (`afinn[word]`), so a headline
 * with "constructor", "toString", "valueOf" … gets a function as a valence and scores NaN or a string
 * ("0function Object() …"). The word lists are the ones `wink-sentiment` 5.x ships (MIT; AFINN-165 by
 * Finn Årup Nielsen, its emoji and emoticon valences); only their own properties are copied into `Map`s
 * at load. The tokenizer is the one `wink-sentiment` uses (`wink-tokenizer`, MIT).
 */
import { createRequire } from 'node:module';
import winkTokenizer from 'wink-tokenizer';

/** One `wink-tokenizer` token with its AFINN annotation. */
export interface AfinnToken {
  value: string;
  /** `word`, `number`, `punctuation`, `currency`, `symbol`, `hashtag`, `emoji`, `emoticon`, `url`, `mention`, … */
  tag: string;
  /** AFINN-165 (or emoji/emoticon) valence −5…+5 of this token, or of the bigram it starts; absent when 0. Never negated. */
  score?: number;
  /** Set (to 1) on the first token of an AFINN bigram ("fed up"); `score` covers it and the next token. */
  grouped?: number;
}

const require = createRequire(import.meta.url);
/** Own enumerable properties of a plain-object table as a `Map` (no prototype names). */
function toMap<V>(table: Record<string, V>): Map<string, V> {
  return new Map(Object.keys(table).map((k) => [k, table[k]!] as [string, V]));
}
const WORDS: ReadonlyMap<string, number> = toMap(require('wink-sentiment/src/afinn-en-165.js') as Record<string, number>);
const BIGRAMS: ReadonlyMap<string, ReadonlyMap<string, number>> = new Map(
  [...toMap(require('wink-sentiment/src/afinn-en-165-2grams.js') as Record<string, Record<string, number>>)].map(
    ([first, seconds]) => [first, toMap(seconds)] as const,
  ),
);
const EMOJIS: ReadonlyMap<string, number> = toMap(require('wink-sentiment/src/emojis.js') as Record<string, number>);
const EMOTICONS: ReadonlyMap<string, number> = toMap(require('wink-sentiment/src/emoticons.js') as Record<string, number>);

const tokenizer = winkTokenizer();

/** AFINN-165 valence of one lower-case word (0 when it has none). */
export function afinnValence(lower: string): number {
  return WORDS.get(lower) ?? 0;
}

/**
 * Tokenises `text` with `wink-tokenizer` and annotates each token with its AFINN-165, emoji or
 * emoticon valence, as `wink-sentiment` does (bigrams first, hashtags by their word), but without its
 * two-token negation (the financial scorer has its own) and with lookups that cannot return anything
 * but a number.
 * @throws TypeError when `text` is not a string.
 */
export function annotate(text: string): AfinnToken[] {
  if (typeof text !== 'string') throw new TypeError('annotate: text must be a string');
  const tokens = tokenizer.tokenize(text) as AfinnToken[];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    let v: number | undefined;
    if (t.tag === 'word') {
      const lower = t.value.toLowerCase();
      const second = k + 1 < tokens.length ? BIGRAMS.get(lower)?.get(tokens[k + 1]!.value.toLowerCase()) : undefined;
      if (second !== undefined) {
        v = second;
        t.grouped = 1;
        k++;
      } else v = WORDS.get(lower);
    } else if (t.tag === 'hashtag') v = WORDS.get(t.value.slice(1).toLowerCase());
    else if (t.tag === 'emoji') v = EMOJIS.get(t.value);
    else if (t.tag === 'emoticon') v = EMOTICONS.get(t.value);
    if (v) t.score = v;
  }
  return tokens;
}
