/**
 * Financial-headline sentiment: a trained TF-IDF + logistic-regression model (`model.ts`, `model.json`)
 * with financial rules on top (phrase, movement, word and negation rules over AFINN-165: `score.ts`,
 * `lexicon.ts`, `phrases.ts`); `classify.ts` combines them. AFINN lookups are `Map`-based (`afinn.ts`).
 */
export { scoreHeadline, scoreWithModelOnly, sentimentModel, useSentimentModel, type ClassifiedHeadline, type DecidedBy } from './classify.js';
export {
  scoreRules,
  scoreWithWinkOnly,
  labelForScore,
  POSITIVE_THRESHOLD,
  NEGATIVE_THRESHOLD,
  type HeadlineSentiment,
  type SentimentLabel,
} from './score.js';
export { loadModel, SentimentModel, MODEL_CLASSES, DEFAULT_MODEL_PATH, type ClassProbabilities, type SentimentModelFile } from './model.js';
export { annotate } from './afinn.js';
export { applyRuleGate, argmaxLabel, type RuleGate } from './gate.js';
export { featureTokens } from './features.js';
