/**
 * How the financial rules' verdict and the trained model's probabilities give the final label: a
 * "gate" that lets strong rule evidence decide when the model is unsure. Measured and chosen by
 * `scripts/eval/sentiment-gate.ts` on data the model was not trained on (docs/sentiment.md); the model
 * file records the gate in use (`ruleGate`). Every kind leaves the model's label alone when the rules
 * say neutral.
 */
import type { ClassProbabilities } from './model.js';
import type { SentimentLabel } from './score.js';

/**
 * - `unsure`: the rules decide when |score| ≥ `minScore` (AFINN scale) and the model's top probability
 *   is below `maxConfidence` (a `maxConfidence` above 1 is a plain strong-cue override);
 * - `neutral`: the rules decide when |score| ≥ `minScore`, the model's most probable class is neutral
 *   and P(neutral) < `maxConfidence` (only a neutral verdict of the model can be overturned);
 * - `blend`: log-linear evidence, log P(rules' class) += `beta` × |score| (`evidence: 'financial'`: ×
 *   the financial part of the score in the label's direction), then the most probable class;
 * - `support`: the rules decide when |score| ≥ `minScore` and the model gives the rules' class a
 *   probability of at least `minSupport` (the model does not clearly contradict them);
 * - `margin`: the rules decide when |score| ≥ `minScore` and the model's top probability exceeds its
 *   probability of the rules' class by less than `maxMargin` (the model barely prefers another class).
 *   `evidence: 'financial'`: the strength is the financial rules' part of the score only
 *   (`financialScore`: phrases, movement pairs, finance lexicon; generic AFINN words do not count), and
 *   it must have the sign of the rules' label.
 */
export type RuleGate =
  | { kind: 'unsure'; minScore: number; maxConfidence: number }
  | { kind: 'neutral'; minScore: number; maxConfidence: number }
  | { kind: 'blend'; beta: number; evidence?: 'all' | 'financial' }
  | { kind: 'support'; minScore: number; minSupport: number }
  | { kind: 'margin'; minScore: number; maxMargin: number; evidence?: 'all' | 'financial' };

const finite = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);

/** Whether `g` is a well-formed `RuleGate` (a model file's `ruleGate`). */
export function isRuleGate(g: unknown): g is RuleGate {
  const x = g as Record<string, unknown> | null;
  if (typeof x !== 'object' || x === null) return false;
  switch (x.kind) {
    case 'unsure':
    case 'neutral':
      return finite(x.minScore) && finite(x.maxConfidence);
    case 'support':
      return finite(x.minScore) && finite(x.minSupport);
    case 'margin':
      return finite(x.minScore) && finite(x.maxMargin) && (x.evidence === undefined || x.evidence === 'all' || x.evidence === 'financial');
    case 'blend':
      return finite(x.beta) && (x.evidence === undefined || x.evidence === 'all' || x.evidence === 'financial');
    default:
      return false;
  }
}

/** The model's most probable class (ties: positive, then negative, then neutral). */
export function argmaxLabel(p: ClassProbabilities): SentimentLabel {
  return p.positive >= p.negative && p.positive >= p.neutral ? 'positive' : p.negative >= p.neutral ? 'negative' : 'neutral';
}

/**
 * The final label of one text from the model's probabilities and the rules' score, label and
 * financial part of the score (`score.ts`). `decided_by` is `rule` when the gate gave the label to the
 * rules and that changed the model's most probable class, else `model`. `gate` null: the model decides.
 */
export function applyRuleGate(
  gate: RuleGate | null,
  p: ClassProbabilities,
  rules: { score: number; label: SentimentLabel; financialScore?: number },
): { label: SentimentLabel; decided_by: 'model' | 'rule' } {
  const modelLabel = argmaxLabel(p);
  const d = gateLabel(gate, p, rules, modelLabel);
  return { label: d, decided_by: d === modelLabel ? 'model' : 'rule' };
}

function gateLabel(gate: RuleGate | null, p: ClassProbabilities, rules: { score: number; label: SentimentLabel; financialScore?: number }, modelLabel: SentimentLabel): SentimentLabel {
  if (gate === null || rules.label === 'neutral') return modelLabel;
  const strength = Math.abs(rules.score);
  switch (gate.kind) {
    case 'unsure':
      if (strength >= gate.minScore && Math.max(p.negative, p.neutral, p.positive) < gate.maxConfidence) return rules.label;
      return modelLabel;
    case 'neutral':
      if (strength >= gate.minScore && modelLabel === 'neutral' && p.neutral < gate.maxConfidence) return rules.label;
      return modelLabel;
    case 'support':
      if (strength >= gate.minScore && p[rules.label as 'positive' | 'negative'] >= gate.minSupport) return rules.label;
      return modelLabel;
    case 'margin': {
      const sign = rules.label === 'positive' ? 1 : -1;
      const evidence = gate.evidence === 'financial' ? sign * (rules.financialScore ?? 0) : strength;
      if (evidence >= gate.minScore && Math.max(p.negative, p.neutral, p.positive) - p[rules.label as 'positive' | 'negative'] < gate.maxMargin) {
        return rules.label;
      }
      return modelLabel;
    }
    case 'blend': {
      const sign = rules.label === 'positive' ? 1 : -1;
      const evidence = gate.evidence === 'financial' ? Math.max(0, sign * (rules.financialScore ?? 0)) : strength;
      const q = { ...p, [rules.label]: p[rules.label as 'positive' | 'negative'] * Math.exp(gate.beta * evidence) };
      return argmaxLabel(q);
    }
  }
}
