/**
 * Text features of the trained sentiment model: word unigrams and bigrams over the same
 * `wink-tokenizer` tokens the financial rules read (`afinn.ts`), so a headline is tokenised once.
 *
 * Normalisation (the same at training and scoring time; a model file records `FEATURES_VERSION`):
 * - words lower-cased; hashtags read as their word ("#earnings" → "earnings");
 * - a word right after "$" is a ticker ("$AAPL" → `<ticker>`): the model should learn what is said,
 *   not which company it is said about;
 * - numbers → `<num>`, "%" kept, URLs, @mentions, e-mails and other punctuation dropped (tweets carry
 *   short links and mentions that headlines do not);
 * - "n't" and "not"/"no"/"never" stay words, so bigrams like "not beat" carry negation.
 * Version 2 (2026-12-07): the rules' feature terms gained `__fin:*` (`ruleFeatureTerms`); the text
 * features are unchanged.
 */
import type { AfinnToken } from './afinn.js';

/** Bumped whenever the normalisation changes; a model trained with another version is refused. */
export const FEATURES_VERSION = 2;

const KEPT_PUNCTUATION = new Set(['%', '!', '?']);

/** The normalised token sequence of a headline (see the module comment). */
export function featureTokens(tokens: readonly AfinnToken[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    switch (t.tag) {
      case 'word':
        out.push(k > 0 && tokens[k - 1]!.value === '$' ? '<ticker>' : t.value.toLowerCase());
        break;
      case 'hashtag':
        out.push(t.value.slice(1).toLowerCase());
        break;
      case 'number':
      case 'ordinal':
        out.push('<num>');
        break;
      case 'emoji':
      case 'emoticon':
        out.push(t.value);
        break;
      case 'punctuation':
      case 'symbol':
        if (KEPT_PUNCTUATION.has(t.value)) out.push(t.value);
        break;
      default:
      // url, mention, email, currency, time, quoted_phrase, alien: dropped
    }
  }
  return out;
}

/**
 * Unigram and bigram terms of a normalised token sequence, with their counts in this text.
 * Bigrams are joined by a single space ("cuts guidance").
 */
export function termCounts(seq: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < seq.length; i++) {
    const u = seq[i]!;
    counts.set(u, (counts.get(u) ?? 0) + 1);
    if (i + 1 < seq.length) {
      const b = `${u} ${seq[i + 1]!}`;
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
  }
  return counts;
}

/** |rules score| from which a rule cue also fires the `:strong` feature (two moderate cues, AFINN scale). */
export const STRONG_RULE_SCORE = 4;

/** |financialScore| from which the financial rules' own evidence fires `__fin:<direction>` (one moderate financial cue). */
export const FINANCIAL_EVIDENCE_SCORE = 2;

/**
 * Features that feed the financial rules' verdict to the model ("rule features in the model", one of
 * the two combinations the trainer measures): `__rules:<label>` always, `__rules:<label>:strong` when
 * |score| ≥ `STRONG_RULE_SCORE`, and (features v2) `__fin:positive` / `__fin:negative` when the
 * financial rules proper — phrases, movement pairs, finance lexicon, without generic AFINN words
 * (`financialScore`, `score.ts`) — reach ±`FINANCIAL_EVIDENCE_SCORE`: v2 was adopted because the model
 * then reads formal news sentences better at no cost on the development splits (docs/sentiment.md).
 * They are unigrams outside the token stream (no bigrams), and no text can produce them (the tokenizer
 * splits "__" and ":").
 */
export function ruleFeatureTerms(rules: { score: number; label: string; financialScore?: number }): string[] {
  const out = [`__rules:${rules.label}`];
  if (Math.abs(rules.score) >= STRONG_RULE_SCORE) out.push(`__rules:${rules.label}:strong`);
  const fin = rules.financialScore ?? 0;
  if (fin >= FINANCIAL_EVIDENCE_SCORE) out.push('__fin:positive');
  else if (fin <= -FINANCIAL_EVIDENCE_SCORE) out.push('__fin:negative');
  return out;
}
