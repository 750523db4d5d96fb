import { annotate } from './afinn.js';
import { featureTokens, ruleFeatureTerms } from './features.js';
import { applyRuleGate, argmaxLabel } from './gate.js';
import { loadModel, type ClassProbabilities, type SentimentModel } from './model.js';
import { scoreRules, type HeadlineSentiment, type SentimentLabel } from './score.js';

/** Which part of the classifier set the label. */
export type DecidedBy = 'model' | 'rule';

/** Result of `scoreHeadline`: the rules' score and terms, the model's probabilities, and the final label. */
export interface ClassifiedHeadline extends HeadlineSentiment {
  /** Final label: the rules' label when they decided, else the model's most probable class. */
  label: SentimentLabel;
  /** The trained model's class probabilities (sum 1; 4 decimals), also when the rules decided. */
  probabilities: ClassProbabilities;
  /**
   * `rule` when the model file's gate (`ruleGate`, `gate.ts`) gave the label to the financial rules — a
   * polar financial-rules verdict the model barely disagrees with — and that changed the model's most
   * probable class, or the rules' score reached `ruleOverride`; else `model`.
   */
  decided_by: DecidedBy;
}

let model: SentimentModel | undefined;

/** The model in use (loaded from `model.json` beside this module on first use). */
export function sentimentModel(): SentimentModel {
  model ??= loadModel();
  return model;
}

/**
 * Replaces the model in use (evaluation of a freshly trained file, tests).
 * @returns the previous model.
 */
export function useSentimentModel(next: SentimentModel): SentimentModel | undefined {
  const prev = model;
  model = next;
  return prev;
}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/**
 * Classifies a financial headline: the financial rules (`scoreRules`) and the trained TF-IDF +
 * logistic-regression model (`model.ts`) read the same tokens once. The combination is the one the
 * trainer chose on a development split of the training data, recorded in the model file: the rules'
 * verdict as model features (`ruleFeatures`), a gate (`ruleGate`, `gate.ts`: the rules decide when
 * their financial evidence — phrases, movement pairs, finance lexicon — reaches 2 and the model's top
 * class beats the rules' class by less than a margin; chosen on held-out data: docs/sentiment.md), and/or a strong-cue override (|rules score| ≥
 * `ruleOverride`). Otherwise the model's most probable class decides.
 * `score`, `comparative` and `matched` are the rules' (AFINN scale, see `HeadlineSentiment`).
 * @throws TypeError when `text` is not a string; Error when the model file is missing or invalid.
 */
export function scoreHeadline(text: string): ClassifiedHeadline {
  if (typeof text !== 'string') throw new TypeError('scoreHeadline: text must be a string');
  const m = sentimentModel();
  const tokens = annotate(text);
  const rules = scoreRules(text, tokens);
  const p = m.predict(featureTokens(tokens), m.ruleFeatures ? ruleFeatureTerms(rules) : []);
  const probabilities = { negative: round4(p.negative), neutral: round4(p.neutral), positive: round4(p.positive) };
  if (m.ruleOverride !== null && Math.abs(rules.score) >= m.ruleOverride) {
    return { ...rules, probabilities, decided_by: 'rule' };
  }
  if (m.ruleGate) {
    const d = applyRuleGate(m.ruleGate, p, rules);
    return { ...rules, label: d.label, probabilities, decided_by: d.decided_by };
  }
  return { ...rules, label: argmaxLabel(p), probabilities, decided_by: 'model' };
}

/** The model alone (text features only, no rules): its most probable class and the probabilities. */
export function scoreWithModelOnly(text: string): { label: SentimentLabel; probabilities: ClassProbabilities } {
  const p = sentimentModel().textOnly.predict(featureTokens(annotate(text)));
  return { label: argmaxLabel(p), probabilities: p };
}
