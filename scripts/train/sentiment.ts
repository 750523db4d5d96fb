/**
 * Trains the headline sentiment model (`processor/enrich/sentiment/model.json`): TF-IDF word unigrams
 * and bigrams (`features.ts`) + multinomial logistic regression (`softmax.ts`), and chooses how the
 * financial rules are combined with it.
 *
 *   npm run train:sentiment -- --train sent_train.csv [--train FinEntity.json …] [--out model.json]
 *
 * Hyperparameters (L2 strength, class weighting, source weighting, rule features, the rules' override
 * threshold) are chosen on stratified, seeded development splits of the TRAINING data only: each
 * training file is split on its own (`--dev-fraction`, default 0.15), and a setting is scored by the
 * mean macro-F1 over the files' development splits, so a small source (news sentences) counts as much
 * as a large one (tweets) when choosing. The final model is then refitted on all training rows. No
 * evaluation set is read here.
 *
 * Source weighting: with several training files of very different sizes, a row of source s weighs
 * `(N / (S × N_s))^α` (N rows in all, S sources, N_s rows in s): α = 0 pools the rows as they are,
 * α = 1 gives every source the same total weight; α is chosen on the development splits.
 * `--augment <file>` (the synthetic formal news sentences, data/sentiment/synthetic/): rows that are only
 * fitted on — their own source in the source weighting, times `--augment-weight`, never split for
 * development nor counted in the criterion (the training files' development splits stay the ones drawn
 * without them). `--class-weighting` narrows the grid's class weighting (the shipped model's run fixes
 * the settings the held-out gate study measured; docs/sentiment.md).
 * Progress goes to stderr; the chosen settings and development figures are printed and stored in the
 * model file's `training` block with the sha256 of every training file.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { annotate, featureTokens, scoreRules, DEFAULT_MODEL_PATH, MODEL_CLASSES, SentimentModel, type SentimentModelFile } from '../../processor/enrich/sentiment/index.js';
import { termCounts, ruleFeatureTerms, FEATURES_VERSION } from '../../processor/enrich/sentiment/features.js';
import { readLabelledSet, type Label } from '../eval/datasets.js';
import { classificationFigures } from '../eval/metrics.js';
import { fitSoftmax, type SparseRow } from './softmax.js';
import { isRuleGate, type RuleGate } from '../../processor/enrich/sentiment/gate.js';
import { mulberry32, shuffle } from './split.js';
import { rowWeights, type ClassWeighting } from './row-weights.js';

/**
 * The gate the shipped model uses: the rules decide when their financial part of the score
 * (`financialScore`: phrases, movement pairs, finance lexicon) is at least 2 in the direction of their
 * label and the model's top probability beats its probability of the rules' class by less than 0.2. Chosen by
 * `scripts/eval/sentiment-gate.ts` (FinEntity out-of-fold, the tweets' development split, the
 * hand-written news sentences; docs/sentiment.md), not by this script's grid.
 */
const DEFAULT_RULE_GATE: RuleGate = { kind: 'margin', minScore: 2, maxMargin: 0.2, evidence: 'financial' };

const num = (name: string, min: number, max: number) => (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a number in ${min}…${max}`);
  return n;
};
const list = (v: string): number[] =>
  v.split(',').map((x) => {
    const n = Number(x);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`not a non-negative number: ${x}`);
    return n;
  });

const program = new Command('train:sentiment')
  .description('Train the TF-IDF + logistic-regression headline sentiment model and write it as JSON.')
  .requiredOption('--train <file>', 'labelled training set (repeatable): text,label CSV (Twitter Financial News), FinEntity JSON, SEntFiN CSV or label<TAB>headline TSV', (v: string, prev: string[] = []) => [...prev, v])
  .option('--out <file>', 'model file to write', DEFAULT_MODEL_PATH)
  .option('--dev-fraction <x>', 'share of each training file\'s rows (per class) held out to choose hyperparameters', num('--dev-fraction', 0.05, 0.5), 0.15)
  .option('--seed <n>', 'seed of the development split', num('--seed', 0, 2 ** 31), 20261129)
  .option('--min-df <n>', 'keep terms seen in at least this many training rows', num('--min-df', 1, 1000), 2)
  .option('--l2 <list>', 'L2 strengths to try (comma-separated)', list, [3e-5, 1e-4, 3e-4])
  .option('--source-balance <list>', 'source-weighting exponents α to try (comma-separated; see the module comment; only used with several --train files)', list, [0, 0.5, 1])
  .option('--override <list>', 'rule-override thresholds to try, |rules score| on the AFINN scale (comma-separated; the model alone is always tried)', list, [2, 3, 4, 5])
  .option(
    '--rule-gate <json>',
    'gate written into the model file (processor/enrich/sentiment/gate.ts; chosen on held-out data by scripts/eval/sentiment-gate.ts, see docs/sentiment.md), or "none"',
    (v: string): RuleGate | null => {
      if (v === 'none') return null;
      let g: unknown;
      try {
        g = JSON.parse(v);
      } catch {
        throw new InvalidArgumentError('not JSON');
      }
      if (!isRuleGate(g)) throw new InvalidArgumentError('not a rule gate (gate.ts)');
      return g;
    },
    DEFAULT_RULE_GATE,
  )
  .option('--class-weighting <list>', 'class weightings to try (comma-separated: none, balanced)', (v: string): ('none' | 'balanced')[] => {
    // ''.split(',') is [''], so an empty value is caught by the element check; empty items ("none,") too.
    const out = v.split(',').map((x) => x.trim());
    if (out.some((x) => x !== 'none' && x !== 'balanced')) throw new InvalidArgumentError('none and/or balanced (comma-separated, no empty items)');
    return out as ('none' | 'balanced')[];
  }, ['none', 'balanced'] as ('none' | 'balanced')[])
  .option('--augment <file>', 'extra training rows (label<TAB>sentence; e.g. the synthetic formal news sentences) used only for fitting: not split, not in the development criterion; their own source (repeatable)', (v: string, prev: string[] = []) => [...prev, v], [] as string[])
  .option('--augment-weight <x>', 'multiplier of the --augment rows\' weights on top of class and source weighting', num('--augment-weight', 0, 10), 1)
  .option('--max-iterations <n>', 'L-BFGS iterations per fit', num('--max-iterations', 10, 5000), 400)
  .addHelpText(
    'after',
    '\nExample (the shipped model): npm run train:sentiment -- --train data/sentiment/twitter-financial-news/sent_train.csv --train data/sentiment/finentity/FinEntity.json' +
      ' --augment data/sentiment/synthetic/formal-news.tsv --augment-weight 0.3 --l2 3e-5 --source-balance 1 --class-weighting balanced',
  );

const opts = program.parse().opts<{
  train: string[];
  out: string;
  devFraction: number;
  seed: number;
  minDf: number;
  l2: number[];
  sourceBalance: number[];
  override: number[];
  maxIterations: number;
  ruleGate: RuleGate | null;
  augment: string[];
  augmentWeight: number;
  classWeighting: ('none' | 'balanced')[];
}>();

const log = (msg: string): void => void process.stderr.write(`${msg}\n`);
const CLASS_INDEX: Record<Label, number> = { negative: 0, neutral: 1, positive: 2 };

// 1. Read and tokenise (once; the rules read the same tokens).
interface Row {
  /** Index of the training file this row came from. */
  source: number;
  label: Label;
  seq: string[];
  rules: { score: number; label: Label };
  ruleTerms: string[];
}
const rows: Row[] = [];
const sources: Record<string, unknown>[] = [];
/** Sources from `--augment`: fitted on, never in a development split. */
const augmentSources = new Set<number>();
for (const file of [...opts.train, ...opts.augment]) {
  const isAugment = sources.length >= opts.train.length;
  if (isAugment) augmentSources.add(sources.length);
  const set = readLabelledSet(file);
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  const counts = Object.fromEntries(['negative', 'neutral', 'positive'].map((l) => [l, set.items.filter((i) => i.label === l).length]));
  sources.push({ file: path.basename(file), format: set.format, sha256, rows: set.items.length, skipped: set.skipped, counts, ...(isAugment ? { augment: true, weight: opts.augmentWeight } : {}) });
  log(`read ${file}: ${set.items.length} rows (${JSON.stringify(counts)}), sha256 ${sha256.slice(0, 16)}…`);
  for (const it of set.items) {
    const tokens = annotate(it.text);
    const r = scoreRules(it.text, tokens);
    rows.push({ source: sources.length - 1, label: it.label, seq: featureTokens(tokens), rules: { score: r.score, label: r.label }, ruleTerms: ruleFeatureTerms(r) });
  }
}
if (rows.length < 50) throw new Error(`only ${rows.length} training rows`);

// 2. Stratified, seeded development split of every training file.
const rand = mulberry32(opts.seed);
const fit: Row[] = [];
const dev: Row[] = [];
for (let s = 0; s < sources.length; s++) for (const label of ['negative', 'neutral', 'positive'] as const) {
  if (augmentSources.has(s)) continue; // drawn after the training files, so their split is the one without --augment
  const of = shuffle(rows.filter((r) => r.source === s && r.label === label), rand);
  const nDev = Math.round(of.length * opts.devFraction);
  dev.push(...of.slice(0, nDev));
  fit.push(...of.slice(nDev));
}
fit.push(...rows.filter((r) => augmentSources.has(r.source)));
log(`development split: ${fit.length} fit / ${dev.length} dev (seed ${opts.seed})`);

/** Vocabulary (terms in ≥ minDf rows) and idf from `data`, as an untrained model file. */
function vocabularyOf(data: readonly Row[], withRules: boolean): SentimentModelFile {
  const df = new Map<string, number>();
  for (const r of data) {
    for (const t of termCounts(r.seq).keys()) df.set(t, (df.get(t) ?? 0) + 1);
    if (withRules) for (const t of new Set(r.ruleTerms)) df.set(t, (df.get(t) ?? 0) + 1);
  }
  const vocabulary = [...df].filter(([, n]) => n >= opts.minDf).map(([t]) => t).sort();
  const n = data.length;
  const idf = vocabulary.map((t) => Math.log((1 + n) / (1 + df.get(t)!)) + 1);
  return {
    format: 'rtas-sentiment-tfidf-logreg',
    version: 1,
    featuresVersion: FEATURES_VERSION,
    classes: [...MODEL_CLASSES],
    vocabulary,
    idf,
    weights: [0, 1, 2].map(() => vocabulary.map(() => 0)),
    bias: [0, 0, 0],
    ruleOverride: null,
    ruleFeatures: withRules,
    training: {},
  };
}

/** Row weights: class weighting × source weighting `(N / (S × N_s))^α` × --augment-weight (`row-weights.ts`). */
function rowWeightsOf(data: readonly Row[], weighting: ClassWeighting, alpha: number): number[] {
  return rowWeights(data, { classWeighting: weighting, sourceBalance: alpha, augmentSources, augmentWeight: opts.augmentWeight });
}
function train(data: readonly Row[], l2: number, weighting: ClassWeighting, withRules: boolean, alpha: number): SentimentModelFile {
  const file = vocabularyOf(data, withRules);
  // Vectorise exactly as at scoring time (a text-only view of the same vocabulary).
  const vec = new SentimentModel({ ...file, ruleFeatures: false });
  const X: SparseRow[] = data.map((r) => vec.vectorize(r.seq, withRules ? r.ruleTerms : []));
  const y = data.map((r) => CLASS_INDEX[r.label]);
  const rowWeights = rowWeightsOf(data, weighting, alpha);
  const t0 = performance.now();
  const fitted = fitSoftmax(X, y, { classes: 3, features: file.vocabulary.length, l2, rowWeights, maxIterations: opts.maxIterations });
  log(`  fit l2=${l2} weighting=${weighting} sourceBalance=${alpha} ruleFeatures=${withRules}: ${file.vocabulary.length} features, ${fitted.iterations} iterations, loss ${fitted.loss.toFixed(4)}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  file.weights = fitted.weights.map((w) => Array.from(w));
  file.bias = Array.from(fitted.bias);
  return file;
}

const LABEL_ORDER = ['positive', 'negative', 'neutral'] as const;
function combinedLabels(model: SentimentModel, data: readonly Row[], override: number | null): Label[] {
  return data.map((r) => {
    if (override !== null && Math.abs(r.rules.score) >= override) return r.rules.label;
    const p = model.predict(r.seq, r.ruleTerms);
    return p.positive >= p.negative && p.positive >= p.neutral ? 'positive' : p.negative >= p.neutral ? 'negative' : 'neutral';
  });
}

// 3. Choose hyperparameters on the development splits: mean macro-F1 over the training files.
const devBySource = sources.map((_, s) => dev.filter((r) => r.source === s)).filter((_, s) => !augmentSources.has(s));
interface Trial {
  l2: number;
  weighting: ClassWeighting;
  sourceBalance: number;
  ruleFeatures: boolean;
  override: number | null;
  /** Means over the training files' development splits. */
  accuracy: number;
  macroF1: number;
  /** Per training file (same order as `sources`). */
  perSource: { accuracy: number; macroF1: number }[];
}
const trials: Trial[] = [];
const alphas = sources.length - augmentSources.size > 1 ? opts.sourceBalance : [0];
for (const ruleFeatures of [false, true]) {
  for (const weighting of opts.classWeighting) {
    for (const sourceBalance of alphas) {
      for (const l2 of opts.l2) {
        const file = train(fit, l2, weighting, ruleFeatures, sourceBalance);
        const model = new SentimentModel(ruleFeatures ? { ...file, textOnly: { ...file, ruleFeatures: false } } : file);
        for (const override of [null, ...opts.override]) {
          const perSource = devBySource.map((d) => {
            const f = classificationFigures(d.map((r) => r.label), combinedLabels(model, d, override), LABEL_ORDER);
            return { accuracy: +f.accuracy.toFixed(4), macroF1: +f.macroF1.toFixed(4) };
          });
          const mean = (k: 'accuracy' | 'macroF1'): number => perSource.reduce((a, p) => a + p[k], 0) / perSource.length;
          trials.push({ l2, weighting, sourceBalance, ruleFeatures, override, accuracy: mean('accuracy'), macroF1: mean('macroF1'), perSource });
        }
      }
    }
  }
}
trials.sort((a, b) => b.macroF1 - a.macroF1 || b.accuracy - a.accuracy);
const best = trials[0]!;
const modelOnlyBest = trials.filter((t) => t.override === null && !t.ruleFeatures)[0]!;
const fmt = (t: Trial): string =>
  `l2=${t.l2} weighting=${t.weighting} sourceBalance=${t.sourceBalance} ruleFeatures=${t.ruleFeatures} override=${t.override ?? 'none'}: accuracy ${t.accuracy.toFixed(3)} macro-F1 ${t.macroF1.toFixed(3)}` +
  (t.perSource.length > 1 ? ` (${t.perSource.map((p, i) => `${sources[i]!.file} ${p.accuracy.toFixed(3)}/${p.macroF1.toFixed(3)}`).join(', ')})` : '');
log('development split, best five:');
for (const t of trials.slice(0, 5)) log(`  ${fmt(t)}`);
log(`  best text-only model, no rules: ${fmt(modelOnlyBest)}`);

// 4. Refit on all training rows with the chosen settings; write the model.
log(`refit on all ${rows.length} training rows`);
/** Drops terms whose weights all round to 0 (smaller file, same scores at 5 decimals); rounds the rest. */
function compact(file: SentimentModelFile): SentimentModelFile {
  const r5 = (x: number): number => Math.round(x * 1e5) / 1e5;
  const keep = file.vocabulary.map((_, i) => file.weights.some((w) => r5(w[i]!) !== 0));
  return {
    ...file,
    vocabulary: file.vocabulary.filter((_, i) => keep[i]),
    idf: file.idf.filter((_, i) => keep[i]).map((x) => Math.round(x * 1e6) / 1e6),
    weights: file.weights.map((w) => w.filter((_, i) => keep[i]).map(r5)),
    bias: file.bias.map(r5),
  };
}
const final = compact(train(rows, best.l2, best.weighting, best.ruleFeatures, best.sourceBalance));
final.ruleOverride = best.override;
final.ruleGate = opts.ruleGate;
if (best.ruleFeatures) {
  // "Model alone" for the evaluation: the best text-only settings, refitted on all rows too.
  const { training: _unused, ...textOnly } = compact(train(rows, modelOnlyBest.l2, modelOnlyBest.weighting, false, modelOnlyBest.sourceBalance));
  final.textOnly = textOnly;
}
final.training = {
  trainedAt: new Date().toISOString(),
  sources,
  rows: rows.length,
  features: 'TF-IDF word unigrams + bigrams, sublinear tf, smooth idf, L2-normalised (features.ts)',
  minDf: opts.minDf,
  model: 'multinomial logistic regression, L2, full-batch L-BFGS (scripts/train/softmax.ts)',
  l2: best.l2,
  classWeighting: best.weighting,
  sourceBalance: best.sourceBalance,
  ruleFeatures: best.ruleFeatures,
  ruleOverride: best.override,
  ruleGate: opts.ruleGate,
  development: {
    seed: opts.seed,
    fraction: opts.devFraction,
    fitRows: fit.length,
    devRows: dev.length,
    /** sha256 of the development rows (source, label, tokens; in split order): the same with and without --augment. */
    devRowsSha256: createHash('sha256').update(dev.map((r) => `${r.source}\t${r.label}\t${r.seq.join(' ')}`).join('\n')).digest('hex'),
    criterion: 'mean macro-F1 over the training files\' development splits',
    chosen: { accuracy: +best.accuracy.toFixed(4), macroF1: +best.macroF1.toFixed(4), perSource: best.perSource },
    modelOnly: { accuracy: +modelOnlyBest.accuracy.toFixed(4), macroF1: +modelOnlyBest.macroF1.toFixed(4) },
    grid: { l2: opts.l2, classWeighting: opts.classWeighting, sourceBalance: alphas, ruleFeatures: [false, true], ruleOverride: [null, ...opts.override] },
    top: trials.slice(0, 5),
  },
};
const tmp = `${opts.out}.tmp`;
writeFileSync(tmp, `${JSON.stringify(final)}\n`);
renameSync(tmp, opts.out);
const size = statSync(opts.out).size;
console.log(
  JSON.stringify({
    out: opts.out,
    bytes: size,
    features: final.vocabulary.length,
    l2: best.l2,
    classWeighting: best.weighting,
    sourceBalance: best.sourceBalance,
    ruleFeatures: best.ruleFeatures,
    ruleOverride: best.override,
    dev: { accuracy: +best.accuracy.toFixed(4), macroF1: +best.macroF1.toFixed(4) },
    devModelOnly: { accuracy: +modelOnlyBest.accuracy.toFixed(4), macroF1: +modelOnlyBest.macroF1.toFixed(4) },
  }),
);
if (size > 5 * 1024 * 1024) {
  log(`warning: model file is ${size} bytes, above the 5 MiB budget; raise --min-df`);
  process.exitCode = 1;
}
