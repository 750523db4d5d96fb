/**
 * Measures ways of letting the financial rules decide when the trained model is unsure (a "gate"), on
 * data the shipped model was NOT trained on, and prints the figures of every variant:
 *
 * - **FinEntity, out-of-fold** (news sentences, ODC-By): 5 stratified, seeded folds; for each fold a
 *   model with the shipped settings (read from the model file's `training` block) is trained on the
 *   tweets' fit split + the other four folds and scores the fold, so every FinEntity sentence is
 *   scored by a model that never saw it;
 * - **tweets, development split**: the trainer's own seeded 15 % split of `sent_train.csv` (same seed,
 *   same procedure), scored by the fold-0 model, which did not see it;
 * - any further `label<TAB>sentence` / CSV sets given with `--extra`, scored by the shipped model
 *   (they must be sets it was not trained on: e.g. the hand-written news sentences).
 *
 *   npx tsx scripts/eval/sentiment-gate.ts [--extra data/sentiment/hand-written/news-sentences.tsv]
 *
 * Gate families (all leave the model's label alone when the rules say neutral):
 * - `override T`: rules decide when |score| ≥ T (the trainer's existing axis);
 * - `unsure T P`: rules decide when |score| ≥ T and the model's top probability is below P;
 * - `neutral T P`: rules decide when |score| ≥ T, the model says neutral and P(neutral) < P;
 * - `blend β`: log-linear combination, log p(rules' class) += β·|score| (the rules' score as evidence).
 * Experiments (issue 19, docs/sentiment.md "2026-12-07 (afternoon)"): `--sbn <tsv>` adds a polarity
 * lexicon's feature terms (SentiBigNomics; `lexicon-features.ts`) to the rules' feature terms of every row;
 * `--augment <tsv>` adds training rows (the synthetic formal sentences) to every model trained here, each file
 * its own source, weighted by `--augment-weight` (the trainer's formula: `scripts/train/row-weights.ts`). Combine with `--retrain-extra` so the `--extra` sets are
 * scored by a model trained the same way.
 * Never reads the Twitter validation split or SEntFiN.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { annotate, featureTokens, scoreRules, loadModel, MODEL_CLASSES, SentimentModel, type SentimentModelFile } from '../../processor/enrich/sentiment/index.js';
import { termCounts, ruleFeatureTerms, FEATURES_VERSION } from '../../processor/enrich/sentiment/features.js';
import { lexiconFeatureTerms, readLexicon } from './lexicon-features.js';
import { applyRuleGate, type RuleGate } from '../../processor/enrich/sentiment/gate.js';
import { readLabelledSet, LABELS, type Label } from './datasets.js';
import { classificationFigures } from './metrics.js';
import { fitSoftmax } from '../train/softmax.js';
import { mulberry32, shuffle } from '../train/split.js';
import { rowWeights } from '../train/row-weights.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const program = new Command('sentiment-gate')
  .option('--tweets <file>', 'tweets training file', path.join(root, 'data/sentiment/twitter-financial-news/sent_train.csv'))
  .option('--finentity <file>', 'FinEntity JSON', path.join(root, 'data/sentiment/finentity/FinEntity.json'))
  .option('--extra <file>', 'held-out set scored by the shipped model (repeatable)', (v: string, p: string[] = []) => [...p, v], [] as string[])
  .option('--folds <n>', 'FinEntity folds', (v) => Number(v), 5)
  .option('--rule-value <x>', 'rule feature terms outside the L2 normalisation with this value (model.ts ruleFeatureValue); default: as the shipped model', (v) => Number(v))
  .option('--retrain-extra', 'score the --extra sets with a model retrained like the shipped one (all tweets + all FinEntity) with this code\'s features, instead of the shipped model file')
  .option('--sbn <tsv>', 'experiment: add SentiBigNomics lexicon feature terms (__sbn:*) to the rules\' feature terms; a term<TAB>polarity file kept OUTSIDE the repository, e.g. /tmp/sentibignomics.tsv (its word list looks built on Loughran-McDonald\'s, not licensed for commercial use, so it must not be shipped: data/sentiment/README.md)')
  .option('--sbn-threshold <x>', 'net lexicon polarity from which __sbn:positive|negative fires', (v) => Number(v), 0.5)
  .option('--sbn-strong <x>', 'net lexicon polarity from which __sbn:<direction>:strong also fires', (v) => Number(v), 1.5)
  .option('--augment <file>', 'experiment: extra training rows (label<TAB>sentence) added to every model trained here, as their own source (repeatable)', (v: string, p: string[] = []) => [...p, v], [] as string[])
  .option('--augment-weight <x>', 'multiplier of the --augment rows\' weights (1: the source weighting alone)', (v) => Number(v), 1)
  .option('--seed <n>', 'seed of the tweets\' development split (the trainer\'s default)', (v) => Number(v), 20261129);
const opts = program.parse().opts<{
  tweets: string; finentity: string; extra: string[]; folds: number; seed: number; ruleValue?: number; retrainExtra?: boolean;
  sbn?: string; sbnThreshold: number; sbnStrong: number; augment: string[]; augmentWeight: number;
}>();
const log = (m: string): void => void process.stderr.write(`${m}\n`);

const shipped = loadModel();
const ruleValue = opts.ruleValue ?? shipped.ruleFeatureValue;
const hp = shipped.file.training as { l2: number; classWeighting: 'none' | 'balanced'; sourceBalance: number; minDf: number; ruleFeatures: boolean };
log(`shipped settings: l2=${hp.l2} weighting=${hp.classWeighting} sourceBalance=${hp.sourceBalance} minDf=${hp.minDf} ruleFeatures=${hp.ruleFeatures}`);

interface Row {
  source: number;
  label: Label;
  seq: string[];
  score: number;
  rulesLabel: Label;
  financialScore: number;
  ruleTerms: string[];
}
const CI: Record<Label, number> = { negative: 0, neutral: 1, positive: 2 };
const sbn = opts.sbn ? readLexicon(opts.sbn) : null;
if (sbn) log(`SentiBigNomics: ${sbn.size} terms, threshold ${opts.sbnThreshold}, strong ${opts.sbnStrong}`);
function rowsOf(file: string, source: number): Row[] {
  return readLabelledSet(file).items.map((it) => {
    const tokens = annotate(it.text);
    const r = scoreRules(it.text, tokens);
    const seq = featureTokens(tokens);
    const ruleTerms = ruleFeatureTerms(r);
    if (sbn) ruleTerms.push(...lexiconFeatureTerms('__sbn', seq, sbn, opts.sbnThreshold, opts.sbnStrong));
    return { source, label: it.label, seq, score: r.score, rulesLabel: r.label, financialScore: r.financialScore, ruleTerms };
  });
}
const tweets = rowsOf(opts.tweets, 0);
const fin = rowsOf(opts.finentity, 1);
// Every --augment file is its own source (2, 3, …), as in the trainer.
const augment = opts.augment.flatMap((f, i) => rowsOf(f, 2 + i));
const augmentSources = new Set(opts.augment.map((_, i) => 2 + i));
if (augment.length > 0) log(`augment: ${augment.length} rows (${LABELS.map((l) => `${l} ${augment.filter((r) => r.label === l).length}`).join(', ')})`);
// The trainer's split: same seed, sources in the same order, classes in the same order.
const rand = mulberry32(opts.seed);
const tweetsFit: Row[] = [];
const tweetsDev: Row[] = [];
for (const label of ['negative', 'neutral', 'positive'] as const) {
  const of = shuffle(tweets.filter((r) => r.label === label), rand);
  const nDev = Math.round(of.length * 0.15);
  tweetsDev.push(...of.slice(0, nDev));
  tweetsFit.push(...of.slice(nDev));
}
// FinEntity folds: stratified, own seed.
const frand = mulberry32(opts.seed + 1);
const foldOf = new Map<Row, number>();
for (const label of ['negative', 'neutral', 'positive'] as const) shuffle(fin.filter((r) => r.label === label), frand).forEach((r, i) => foldOf.set(r, i % opts.folds));

function train(data: readonly Row[]): SentimentModel {
  const df = new Map<string, number>();
  for (const r of data) {
    for (const t of termCounts(r.seq).keys()) df.set(t, (df.get(t) ?? 0) + 1);
    if (hp.ruleFeatures) for (const t of new Set(r.ruleTerms)) df.set(t, (df.get(t) ?? 0) + 1);
  }
  const vocabulary = [...df].filter(([, n]) => n >= hp.minDf).map(([t]) => t).sort();
  const idf = vocabulary.map((t) => Math.log((1 + data.length) / (1 + df.get(t)!)) + 1);
  const file: SentimentModelFile = {
    format: 'rtas-sentiment-tfidf-logreg', version: 1, featuresVersion: FEATURES_VERSION, classes: [...MODEL_CLASSES], vocabulary, idf,
    weights: [0, 1, 2].map(() => vocabulary.map(() => 0)), bias: [0, 0, 0], ruleOverride: null, ruleFeatures: false, training: {},
    ...(ruleValue !== undefined ? { ruleFeatureValue: ruleValue } : {}),
  };
  const vec = new SentimentModel(file);
  const X = data.map((r) => vec.vectorize(r.seq, hp.ruleFeatures ? r.ruleTerms : []));
  const w = rowWeights(data, { classWeighting: hp.classWeighting, sourceBalance: hp.sourceBalance, augmentSources, augmentWeight: opts.augmentWeight });
  const t0 = performance.now();
  const fitted = fitSoftmax(X, data.map((r) => CI[r.label]), { classes: 3, features: vocabulary.length, l2: hp.l2, rowWeights: w, maxIterations: 400 });
  log(`  fit ${data.length} rows, ${vocabulary.length} features, ${fitted.iterations} iterations, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  file.weights = fitted.weights.map((x) => Array.from(x));
  file.bias = Array.from(fitted.bias);
  file.ruleFeatures = hp.ruleFeatures;
  return new SentimentModel(hp.ruleFeatures ? { ...file, textOnly: { ...file, ruleFeatures: false } } : file);
}

interface Scored {
  gold: Label;
  score: number;
  rulesLabel: Label;
  financialScore: number;
  p: Record<Label, number>;
}
const finScored: Scored[] = [];
let devScored: Scored[] = [];
for (let k = 0; k < opts.folds; k++) {
  log(`fold ${k + 1}/${opts.folds}`);
  const m = train([...tweetsFit, ...fin.filter((r) => foldOf.get(r) !== k), ...augment]);
  for (const r of fin.filter((x) => foldOf.get(x) === k)) finScored.push({ gold: r.label, score: r.score, rulesLabel: r.rulesLabel, financialScore: r.financialScore, p: m.predict(r.seq, r.ruleTerms) });
  if (k === 0) devScored = tweetsDev.map((r) => ({ gold: r.label, score: r.score, rulesLabel: r.rulesLabel, financialScore: r.financialScore, p: m.predict(r.seq, r.ruleTerms) }));
}
const sets: { name: string; items: Scored[] }[] = [
  { name: 'FinEntity out-of-fold', items: finScored },
  { name: 'tweets dev split', items: devScored },
];
const extraModel = opts.retrainExtra && opts.extra.length > 0 ? (log('retrain on all rows for the --extra sets'), train([...tweets, ...fin, ...augment])) : shipped;
for (const file of opts.extra) {
  sets.push({
    name: `${path.basename(file)} (${extraModel === shipped ? 'shipped model' : 'retrained model'})`,
    items: rowsOf(file, 0).map((r) => ({ gold: r.label, score: r.score, rulesLabel: r.rulesLabel, financialScore: r.financialScore, p: extraModel.predict(r.seq, r.ruleTerms) })),
  });
}

const gates: { name: string; gate: RuleGate | null; rulesOnly?: boolean }[] = [{ name: 'model (no gate, shipped today)', gate: null }, { name: 'rules alone', gate: null, rulesOnly: true }];
for (const T of [2, 3, 4]) gates.push({ name: `override T=${T}`, gate: { kind: 'unsure', minScore: T, maxConfidence: 1.01 } });
for (const T of [2, 3, 4]) for (const P of [0.5, 0.6, 0.7, 0.8, 0.9]) gates.push({ name: `unsure T=${T} P=${P}`, gate: { kind: 'unsure', minScore: T, maxConfidence: P } });
for (const T of [2, 3, 4]) for (const P of [0.6, 0.7, 0.8, 0.9, 1.01]) gates.push({ name: `neutral T=${T} P=${P}`, gate: { kind: 'neutral', minScore: T, maxConfidence: P } });
for (const T of [2, 3, 4]) for (const q of [0.1, 0.15, 0.2, 0.25, 0.3, 0.4]) gates.push({ name: `support T=${T} q=${q}`, gate: { kind: 'support', minScore: T, minSupport: q } });
for (const T of [2, 3]) for (const m of [0.05, 0.1, 0.15, 0.2, 0.25, 0.3]) gates.push({ name: `margin T=${T} m=${m}`, gate: { kind: 'margin', minScore: T, maxMargin: m } });
for (const T of [2, 3]) for (const m of [0.1, 0.2, 0.3, 0.4, 0.5, 1.01]) gates.push({ name: `financial-margin T=${T} m=${m}`, gate: { kind: 'margin', minScore: T, maxMargin: m, evidence: 'financial' } });
for (const b of [0.1, 0.2, 0.3, 0.4, 0.5]) gates.push({ name: `financial-blend beta=${b}`, gate: { kind: 'blend', beta: b, evidence: 'financial' } });
for (const T of [2]) for (const m of [0.15, 0.25]) gates.push({ name: `financial-margin T=${T} m=${m}`, gate: { kind: 'margin', minScore: T, maxMargin: m, evidence: 'financial' } });
for (const b of [0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1]) gates.push({ name: `blend beta=${b}`, gate: { kind: 'blend', beta: b } });

const f3 = (x: number): string => x.toFixed(3);
console.log(`sets: ${sets.map((s) => `${s.name} ${s.items.length}`).join(', ')}`);
console.log(`variant | ${sets.map((s) => `${s.name}: acc / macro-F1 / recall pos,neg,neu / by-rule`).join(' | ')} | mean macro-F1`);
for (const g of gates) {
  let sumF1 = 0;
  const cells = sets.map((s) => {
    let byRule = 0;
    const pred = s.items.map((it) => {
      if (g.rulesOnly) return it.rulesLabel;
      const d = applyRuleGate(g.gate, it.p, { score: it.score, label: it.rulesLabel, financialScore: it.financialScore });
      if (d.decided_by === 'rule') byRule++;
      return d.label;
    });
    const f = classificationFigures(s.items.map((i) => i.gold), pred, LABELS);
    sumF1 += f.macroF1;
    return `${f3(f.accuracy)} / ${f3(f.macroF1)} / ${f.classes.map((c) => c.recall.toFixed(2)).join(',')} / ${byRule}`;
  });
  console.log(`${g.name} | ${cells.join(' | ')} | ${f3(sumF1 / sets.length)}`);
}
