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
  /** Provenance: training sets (path as given, sha256, rows), hyperparameters, development figures. */
  training: Record<string, unknown>;
}

/** A loaded model, ready to score. */
export class SentimentModel {
  private readonly index: Map<string, number>;
  private readonly idf: Float64Array;
  private readonly weights: Float64Array[];
  private readonly bias: Float64Array;
  readonly ruleOverride: number | null;
  readonly file: SentimentModelFile;

  /** @throws Error when the file is not a model of this format or its arrays disagree in size. */
  constructor(file: SentimentModelFile) {
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
    this.idf = Float64Array.from(file.idf);
    this.weights = file.weights.map((w) => Float64Array.from(w));
    this.bias = Float64Array.from(file.bias);
    this.ruleOverride = file.ruleOverride;
    this.file = file;
  }

  /** Sparse TF-IDF vector (feature indices and L2-normalised values) of a normalised token sequence. */
  vectorize(seq: readonly string[]): { idx: number[]; val: number[] } {
    // Same terms as `termCounts` (unigrams, space-joined bigrams), counted by feature index.
    const counts = new Map<number, number>();
    for (let k = 0; k < seq.length; k++) {
      const u = this.index.get(seq[k]!);
      if (u !== undefined) counts.set(u, (counts.get(u) ?? 0) + 1);
      if (k + 1 < seq.length) {
        const b = this.index.get(`${seq[k]!} ${seq[k + 1]!}`);
        if (b !== undefined) counts.set(b, (counts.get(b) ?? 0) + 1);
      }
    }
    const idx: number[] = [];
    const val: number[] = [];
    let norm = 0;
    for (const [i, count] of counts) {
      const v = (1 + Math.log(count)) * this.idf[i]!;
      idx.push(i);
      val.push(v);
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (let k = 0; k < val.length; k++) val[k]! /= norm;
    return { idx, val };
  }

  /** Class probabilities of a normalised token sequence (`features.ts` `featureTokens`). */
  predict(seq: readonly string[]): ClassProbabilities {
    const { idx, val } = this.vectorize(seq);
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
