/**
 * Evaluates the headline sentiment classifier on one or more labelled sets and prints, for every set:
 * the combined classifier (`scoreHeadline`: model + rules, as indexed), the financial rules alone
 * (`scoreRules`), the trained model alone (`scoreWithModelOnly`) and plain wink-sentiment
 * (`scoreWithWinkOnly`, same thresholds as the rules), each with accuracy, macro-F1, per-class
 * precision/recall/F1 and the confusion matrix; then the majority-class baseline and the scoring speed
 * of the combined classifier on one core (headlines per second, after a warm-up pass).
 *
 *   npm run eval:sentiment -- [--model model.json] [set …]
 *
 * Sets (formats in `datasets.ts`): the Twitter Financial News Sentiment CSVs (`sent_valid.csv` is the
 * held-out split: the model is trained on `sent_train.csv` only), SEntFiN 1.0's CSV (headlines from
 * another source), or a `label<TAB>headline` TSV. Default: every shipped set no model was trained on —
 * the tweets' validation split, the two hand-written news-sentence sets (`data/sentiment/hand-written/`)
 * and the self-authored headline fixture (a regression check, not an accuracy claim).
 *
 * Only aggregate figures are printed, on purpose: rules must stay general and not be tuned to single
 * sentences of an evaluation set.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import {
  loadModel,
  scoreHeadline,
  scoreRules,
  scoreWithModelOnly,
  scoreWithWinkOnly,
  useSentimentModel,
  POSITIVE_THRESHOLD,
  NEGATIVE_THRESHOLD,
} from '../../processor/enrich/sentiment/index.js';
import { classificationFigures, type Figures } from './metrics.js';
import { readLabelledSet, LABELS } from './datasets.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The sets shipped in the repository that no model was trained on (docs/sentiment.md says what each is for). */
const DEFAULT_SETS = [
  'data/sentiment/twitter-financial-news/sent_valid.csv',
  'data/sentiment/hand-written/news-sentences.tsv',
  'data/sentiment/hand-written/news-sentences-confirm.tsv',
  'test/fixtures/sentiment/self-authored-headlines.tsv',
].map((f) => path.resolve(here, '../..', f));
const program = new Command('eval:sentiment')
  .description('Accuracy, macro-F1, per-class figures and confusion matrices of the headline sentiment classifier (combined, rules alone, model alone, plain wink-sentiment), and its speed.')
  .argument('[sets...]', 'labelled sets: text,label CSV (Twitter Financial News), SEntFiN CSV, FinEntity JSON or label<TAB>headline TSV', DEFAULT_SETS)
  .option('--model <file>', 'model file to evaluate instead of the shipped processor/enrich/sentiment/model.json')
  .option('--speed-passes <n>', 'timed passes over each set for the speed figure', (v) => Math.max(1, Number(v) || 1), 3);
const sets = program.parse().args.length ? program.args : (program.processedArgs[0] as string[]);
const opts = program.opts<{ model?: string; speedPasses: number }>();
if (opts.model) useSentimentModel(loadModel(opts.model));

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`.padStart(6);

function print(name: string, f: Figures): void {
  console.log(`\n${name}`);
  console.log(`  accuracy ${pct(f.accuracy)}   macro-F1 ${f.macroF1.toFixed(3)}`);
  console.log('  class      support  predicted  precision  recall     F1');
  for (const c of f.classes) {
    console.log(`  ${c.label.padEnd(9)} ${String(c.support).padStart(8)} ${String(c.predicted).padStart(10)}    ${pct(c.precision)}  ${pct(c.recall)}  ${c.f1.toFixed(3)}`);
  }
  console.log(`  confusion (rows gold, columns predicted: ${LABELS.join(' / ')})`);
  for (const g of LABELS) console.log(`    ${g.padEnd(9)} ${LABELS.map((p) => String(f.confusion[g]![p]).padStart(5)).join('')}`);
}

const short = (f: Figures): string => `accuracy ${f.accuracy.toFixed(4)} macro-F1 ${f.macroF1.toFixed(4)}`;
for (const file of sets) {
  const set = readLabelledSet(file);
  const gold = set.items.map((r) => r.label);
  const counts = Object.fromEntries(LABELS.map((l) => [l, gold.filter((g) => g === l).length]));
  console.log(`\n=== set: ${path.relative(process.cwd(), file)} (${set.format})`);
  console.log(`items: ${set.items.length} (${LABELS.map((l) => `${l} ${counts[l]}`).join(', ')})${set.skipped ? `; left out: ${set.skipped} (${set.skippedReason})` : ''}`);
  console.log(`rules thresholds: positive if score >= ${POSITIVE_THRESHOLD}, negative if score <= ${NEGATIVE_THRESHOLD}, else neutral`);

  const combinedResults = set.items.map((r) => scoreHeadline(r.text));
  const byRule = combinedResults.filter((r) => r.decided_by === 'rule').length;
  const figures = {
    combined: classificationFigures(gold, combinedResults.map((r) => r.label), LABELS),
    rules: classificationFigures(gold, set.items.map((r) => scoreRules(r.text).label), LABELS),
    model: classificationFigures(gold, set.items.map((r) => scoreWithModelOnly(r.text).label), LABELS),
    wink: classificationFigures(gold, set.items.map((r) => scoreWithWinkOnly(r.text).label), LABELS),
  };
  print(`combined classifier (scoreHeadline; decided by rule: ${byRule}, by model: ${set.items.length - byRule})`, figures.combined);
  print('financial rules alone (scoreRules)', figures.rules);
  print('trained model alone (scoreWithModelOnly)', figures.model);
  print('baseline: plain wink-sentiment, same thresholds', figures.wink);

  // Speed: the combined classifier, one core (this process), after the passes above warmed it up.
  // CPU time of this process is the "one core" measure: wall time on a shared machine also counts
  // other processes' turns. Both are printed.
  let scored = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let p = 0; p < opts.speedPasses; p++) for (const r of set.items) scored += scoreHeadline(r.text).score === undefined ? 0 : 1;
  const cpu = process.cpuUsage(c0);
  const seconds = (performance.now() - t0) / 1000;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const majority = Math.max(...LABELS.map((l) => counts[l]!)) / set.items.length;
  console.log(`\nmajority-class accuracy: ${pct(majority).trim()}`);
  console.log(
    `speed: ${Math.round(scored / cpuSeconds)} headlines per CPU-second (combined, one thread; ${scored} scored in ${cpuSeconds.toFixed(2)} s CPU, ${seconds.toFixed(2)} s wall = ${Math.round(scored / seconds)}/s wall)`,
  );
  console.log(`summary: combined ${short(figures.combined)} | rules ${short(figures.rules)} | model ${short(figures.model)} | plain wink ${short(figures.wink)}`);
}
