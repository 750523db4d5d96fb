/**
 * Types for `wink-sentiment` 5.x (MIT, https://github.com/winkjs/wink-sentiment), which ships none.
 * Only what this project uses is declared; shapes follow `src/wink-sentiment.js` of 5.0.2.
 */
declare module 'wink-sentiment' {
  /** One token from `wink-tokenizer`, annotated by the scorer. */
  export interface WinkToken {
    value: string;
    /** `word`, `number`, `punctuation`, `currency`, `symbol`, `hashtag`, `emoji`, `emoticon`, `url`, … */
    tag: string;
    /** AFINN-165 (or emoji/emoticon) valence, −5…+5, already sign-flipped when `negation` is set. */
    score?: number;
    /** Set when a negation word stood one or two tokens before this one. */
    negation?: boolean;
    /** Set on the first token of an AFINN bigram; the score covers this token and the next. */
    grouped?: number;
  }

  export interface WinkResult {
    /** Sum of the token valences (AFINN scale, unbounded). */
    score: number;
    /** `score` averaged over scored tokens and damped for texts over 15 words; within −5…+5. */
    normalizedScore: number;
    /** Absent when the text had no tokens. */
    tokenizedPhrase?: WinkToken[];
  }

  /** Scores `phrase`; throws when it is not a string. */
  function sentiment(phrase: string): WinkResult;
  export default sentiment;
}

/** Types for `wink-tokenizer` 5.x (MIT, https://github.com/winkjs/wink-tokenizer): only what this project uses. */
declare module 'wink-tokenizer' {
  interface Token {
    value: string;
    tag: string;
  }
  interface Tokenizer {
    /** Splits `sentence` into tagged tokens (word, number, punctuation, url, mention, hashtag, emoji, …). */
    tokenize(sentence: string): Token[];
  }
  function winkTokenizer(): Tokenizer;
  export default winkTokenizer;
}
