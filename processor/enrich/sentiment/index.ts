/**
 * Financial-headline sentiment: wink-sentiment (AFINN-165) plus financial phrase, movement, word and
 * negation rules. See `score.ts` for the scale and thresholds, `lexicon.ts` and `phrases.ts` for the
 * rules and their sources.
 */
export {
  scoreHeadline,
  scoreWithWinkOnly,
  labelForScore,
  POSITIVE_THRESHOLD,
  NEGATIVE_THRESHOLD,
  type HeadlineSentiment,
  type SentimentLabel,
} from './score.js';
