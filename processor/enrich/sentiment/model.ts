/**
 * The trained headline sentiment model: TF-IDF features (word unigrams + bigrams, `features.ts`) and a
 * multinomial logistic regression (softmax), trained by `npm run train:sentiment`
 * (`scripts/train/sentiment.ts`) and stored as JSON beside this file (`model.json`). Scored in-process:
 * no network, no download.
 *
 * TF-IDF as scikit-learn's `TfidfVectorizer(sublinear_tf=True, norm='l2', smooth_idf=True)`:
 * tf = 1 + ln(count), idf = ln((1 + n) / (1 + df)) + 1, the vector L2-normalised. Terms outside the
 * vocabulary are ignored.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FEATURES_VERSION } from './features.js';
import { isRuleGate, type RuleGate } from './gate.js';

/** Classes in the order of the model's weight rows. */
export const MODEL_CLASSES = ['negative', 'neutral', 'positive'] as const;
export type ModelClass = (typeof MODEL_CLASSES)[number];

/** Class probabilities (sum 1). */
export type ClassProbabilities = Record<ModelClass, number>;

/** The JSON file written by the trainer. */
export interface SentimentModelFile {
  format: 'rtas-sentiment-tfidf-logreg';
  /** Format version of this file (1). */
  version: 1;
  /** `FEATURES_VERSION` the model was trained with. */
  featuresVersion: number;
  classes: ModelClass[];
  /** Vocabulary terms; index i is feature i. */
  vocabulary: string[];
  /** idf of each vocabulary term. */
  idf: number[];
  /** `weights[c][i]`: weight of feature i for class c. */
  weights: number[][];
  bias: number[];
  /**
   * How the rules are combined with the model: when the financial rules' score is at least
   * `ruleOverride` in absolute value (AFINN scale, see `score.ts`), the rules' label decides;
   * `null`: the model always decides.
   */
  ruleOverride: number | null;
  /** Whether the model reads the rules' verdict as features (`features.ts` `ruleFeatureTerms`). */
  ruleFeatures: boolean;
  /**
   * When set, the rules' feature terms get this fixed value, appended after the text's TF-IDF vector is
   * L2-normalised (so a long sentence does not dilute the rules' verdict); absent: they are TF-IDF terms
   * inside the normalisation, as in the first models.
   */
  ruleFeatureValue?: number;
  /** How the rules' label and the model's probabilities give the final label (`gate.ts`); absent: the model decides. */
  ruleGate?: RuleGate | null;
  /**
   * When `ruleFeatures` is set: the same model trained on the text features only, so the evaluation
   * can report "model alone". Absent otherwise (then this model is text-only itself).
   */
  textOnly?: Omit<SentimentModelFile, 'textOnly' | 'training'>;
  /** Provenance: training sets (path as given, sha256, rows), hyperparameters, development figures. */
  training: Record<string, unknown>;
}

/** A loaded model, ready to score. */
export class SentimentModel {
  private readonly index: Map<string, number>;
  /** Every word of the vocabulary's terms → a word id (bigrams are looked up by a pair of ids, no string joins). */
  private readonly wordId: Map<string, number>;
  /** Word id → feature index of that word as a unigram, or −1. */
  private readonly unigramOf: Int32Array;
  /** `first id × words + second id` → feature index of the bigram. */
  private readonly bigramOf: Map<number, number>;
  private readonly idf: Float64Array;
  private readonly weights: Float64Array[];
  private readonly bias: Float64Array;
  readonly ruleOverride: number | null;
  readonly ruleFeatures: boolean;
  /** See `SentimentModelFile.ruleFeatureValue`. */
  readonly ruleFeatureValue: number | undefined;
  /** See `SentimentModelFile.ruleGate` (null: the model decides). */
  readonly ruleGate: RuleGate | null;
  /** The text-only model (this one when `ruleFeatures` is off). */
  readonly textOnly: SentimentModel;
  readonly file: SentimentModelFile;

  /** @throws Error when the file is not a model of this format or its arrays disagree in size. */
  constructor(file: SentimentModelFile | Omit<SentimentModelFile, 'textOnly' | 'training'>) {
    if (file?.format !== 'rtas-sentiment-tfidf-logreg' || file.version !== 1) throw new Error('sentiment model: unknown format');
    if (file.featuresVersion !== FEATURES_VERSION) {
      throw new Error(`sentiment model: trained with features v${file.featuresVersion}, this code has v${FEATURES_VERSION}; run npm run train:sentiment`);
    }
    if (file.classes.join() !== MODEL_CLASSES.join()) throw new Error(`sentiment model: classes must be ${MODEL_CLASSES.join(', ')}`);
    const n = file.vocabulary.length;
    if (file.idf.length !== n || file.weights.length !== 3 || file.weights.some((w) => w.length !== n) || file.bias.length !== 3) {
      throw new Error('sentiment model: vocabulary, idf and weights differ in size');
    }
    this.index = new Map(file.vocabulary.map((t, i) => [t, i]));
    this.wordId = new Map();
    for (const term of file.vocabulary) for (const w of term.split(' ')) if (!this.wordId.has(w)) this.wordId.set(w, this.wordId.size);
    const words = this.wordId.size;
    this.unigramOf = new Int32Array(words).fill(-1);
    this.bigramOf = new Map();
    file.vocabulary.forEach((term, i) => {
      const sp = term.indexOf(' ');
      if (sp < 0) this.unigramOf[this.wordId.get(term)!] = i;
      else this.bigramOf.set(this.wordId.get(term.slice(0, sp))! * words + this.wordId.get(term.slice(sp + 1))!, i);
    });
    this.idf = Float64Array.from(file.idf);
    this.weights = file.weights.map((w) => Float64Array.from(w));
    this.bias = Float64Array.from(file.bias);
    this.ruleOverride = file.ruleOverride;
    this.ruleFeatures = file.ruleFeatures === true;
    this.ruleFeatureValue = typeof file.ruleFeatureValue === 'number' ? file.ruleFeatureValue : undefined;
    this.ruleGate = file.ruleGate ?? null;
    if (this.ruleGate !== null && !isRuleGate(this.ruleGate)) throw new Error(`sentiment model: unknown ruleGate ${JSON.stringify(this.ruleGate)}`);
    const textOnly = 'textOnly' in file ? file.textOnly : undefined;
    if (this.ruleFeatures && !textOnly) throw new Error('sentiment model: ruleFeatures set but no textOnly model');
    this.textOnly = textOnly ? new SentimentModel(textOnly) : this;
    this.file = file as SentimentModelFile;
  }

  /** Sparse TF-IDF vector (feature indices and L2-normalised values) of a normalised token sequence. */
  vectorize(seq: readonly string[], extra: readonly string[] = []): { idx: number[]; val: number[] } {
    // Same terms as `termCounts` (unigrams, space-joined bigrams), counted by feature index.
    const idx: number[] = [];
    const cnt: number[] = [];
    const add = (i: number): void => {
      const at = idx.indexOf(i); // a headline has a few dozen terms: a linear scan beats a Map
      if (at >= 0) cnt[at]!++;
      else {
        idx.push(i);
        cnt.push(1);
      }
    };
    const words = this.unigramOf.length;
    let prev = -1;
    for (let k = 0; k < seq.length; k++) {
      const id = this.wordId.get(seq[k]!) ?? -1;
      if (id >= 0) {
        const u = this.unigramOf[id]!;
        if (u >= 0) add(u);
        if (prev >= 0) {
          const b = this.bigramOf.get(prev * words + id);
          if (b !== undefined) add(b);
        }
      }
      prev = id;
    }
    const fixed = this.ruleFeatureValue;
    if (fixed === undefined) {
      for (const term of extra) {
        const i = this.index.get(term);
        if (i !== undefined) add(i);
      }
    }
    const val: number[] = new Array<number>(idx.length);
    let norm = 0;
    for (let k = 0; k < idx.length; k++) {
      const v = (1 + Math.log(cnt[k]!)) * this.idf[idx[k]!]!;
      val[k] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (let k = 0; k < val.length; k++) val[k]! /= norm;
    if (fixed !== undefined) {
      for (const term of extra) {
        const i = this.index.get(term);
        if (i !== undefined && !idx.includes(i)) {
          idx.push(i);
          val.push(fixed);
        }
      }
    }
    return { idx, val };
  }

  /**
   * Class probabilities of a normalised token sequence (`features.ts` `featureTokens`), with the rules'
   * feature terms (`ruleFeatureTerms`) when this model reads them.
   */
  predict(seq: readonly string[], ruleTerms: readonly string[] = []): ClassProbabilities {
    const { idx, val } = this.vectorize(seq, this.ruleFeatures ? ruleTerms : []);
    const z = [0, 0, 0];
    for (let c = 0; c < 3; c++) {
      const w = this.weights[c]!;
      let s = this.bias[c]!;
      for (let k = 0; k < idx.length; k++) s += w[idx[k]!]! * val[k]!;
      z[c] = s;
    }
    const m = Math.max(z[0]!, z[1]!, z[2]!);
    const e = z.map((v) => Math.exp(v - m));
    const sum = e[0]! + e[1]! + e[2]!;
    return { negative: e[0]! / sum, neutral: e[1]! / sum, positive: e[2]! / sum };
  }
}

/** Path of the model shipped in the repository. */
export const DEFAULT_MODEL_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'model.json');

/**
 * Reads and validates a model file.
 * @throws Error naming the file when it cannot be read or is not a valid model.
 */
export function loadModel(file: string = DEFAULT_MODEL_PATH): SentimentModel {
  let parsed: SentimentModelFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as SentimentModelFile;
  } catch (err) {
    throw new Error(`sentiment model ${file}: ${(err as Error).message}`);
  }
  try {
    return new SentimentModel(parsed);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}
