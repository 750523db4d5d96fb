/**
 * Evaluates the financial headline sentiment (`scoreHeadline`) against a labelled set and prints
 * counts, accuracy, per-class precision/recall/F1, macro-F1 and the confusion matrix, with the same
 * figures for plain wink-sentiment (no financial rules) measured in the same run.
 *
 * Run: `npx tsx scripts/eval/sentiment.ts [file.tsv | sent_valid.csv]`. The default set is
 * `test/fixtures/sentiment/self-authored-headlines.tsv` (see the README there: self-authored, CC0,
 * NOT an accuracy claim for the product). Any TSV with a `label<TAB>headline` header and labels
 * positive/negative/neutral can be passed instead, or a `.csv` in the format of the Twitter Financial
 * News Sentiment set (zeroshot/twitter-financial-news-sentiment, MIT): columns `text,label` with
 * 0 = Bearish, 1 = Bullish, 2 = Neutral (its dataset card), read as negative/positive/neutral.
 *
 * Only aggregate figures are printed, on purpose: rules must stay general and not be tuned to single
 * sentences of an evaluation set.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scoreHeadline, scoreWithWinkOnly, POSITIVE_THRESHOLD, NEGATIVE_THRESHOLD } from '../../processor/enrich/sentiment/index.js';
import { classificationFigures, type Figures } from './metrics.js';

const LABELS = ['positive', 'negative', 'neutral'] as const;
const here = path.dirname(fileURLToPath(import.meta.url));
const file = process.argv[2] ?? path.resolve(here, '../../test/fixtures/sentiment/self-authored-headlines.tsv');

/** Label codes of the Twitter Financial News Sentiment set, from its dataset card. */
const TFNS_LABELS: Record<string, string> = { '0': 'negative', '1': 'positive', '2': 'neutral' };

/**
 * Reads a `label<TAB>headline` TSV with a header line, or a Twitter-Financial-News-style `text,label`
 * CSV (csv-parse: quoted fields may hold commas and newlines); throws on an unknown label or a malformed line.
 */
function readSet(p: string): { label: string; text: string }[] {
  if (p.endsWith('.csv')) {
    const rows = parse(readFileSync(p, 'utf8'), { columns: true, skip_empty_lines: true }) as { text?: string; label?: string }[];
    return rows.map((r, i) => {
      const label = TFNS_LABELS[r.label ?? ''];
      if (!label || r.text === undefined) throw new Error(`${p}: record ${i + 1}: expected text,label with label 0, 1 or 2`);
      return { label, text: r.text };
    });
  }
  const lines = readFileSync(p, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const [header, ...rows] = lines;
  if (!header || !/^label\t/.test(header)) throw new Error(`${p}: expected a "label<TAB>headline" header`);
  return rows.map((l, i) => {
    const tab = l.indexOf('\t');
    const label = l.slice(0, tab).trim();
    if (tab < 0 || !(LABELS as readonly string[]).includes(label)) throw new Error(`${p}:${i + 2}: bad line`);
    return { label, text: l.slice(tab + 1) };
  });
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`.padStart(6);

function print(name: string, f: Figures): void {
  console.log(`\n${name}`);
  console.log(`  accuracy ${pct(f.accuracy)}   macro-F1 ${f.macroF1.toFixed(3)}`);
  console.log('  class      support  predicted  precision  recall     F1');
  for (const c of f.classes) {
    console.log(
      `  ${c.label.padEnd(9)} ${String(c.support).padStart(8)} ${String(c.predicted).padStart(10)}    ${pct(c.precision)}  ${pct(c.recall)}  ${c.f1.toFixed(3)}`,
    );
  }
  console.log(`  confusion (rows gold, columns predicted: ${LABELS.join(' / ')})`);
  for (const g of LABELS) console.log(`    ${g.padEnd(9)} ${LABELS.map((p) => String(f.confusion[g]![p]).padStart(5)).join('')}`);
}

const set = readSet(file);
const gold = set.map((r) => r.label);
const counts = Object.fromEntries(LABELS.map((l) => [l, gold.filter((g) => g === l).length]));
console.log(`set: ${path.relative(process.cwd(), file)}`);
console.log(`items: ${set.length} (${LABELS.map((l) => `${l} ${counts[l]}`).join(', ')})`);
console.log(`thresholds: positive if score >= ${POSITIVE_THRESHOLD}, negative if score <= ${NEGATIVE_THRESHOLD}, else neutral`);

const t0 = performance.now();
const rules = set.map((r) => scoreHeadline(r.text).label);
const t1 = performance.now();
const wink = set.map((r) => scoreWithWinkOnly(r.text));
const winkSign = wink.map((w) => (w.score > 0 ? 'positive' : w.score < 0 ? 'negative' : 'neutral'));

const fr = classificationFigures(gold, rules, LABELS);
const fw = classificationFigures(gold, wink.map((w) => w.label), LABELS);
const fs = classificationFigures(gold, winkSign, LABELS);
print('financial rules (scoreHeadline)', fr);
print('baseline: plain wink-sentiment, same thresholds', fw);
print('baseline: plain wink-sentiment, sign of score (> 0 / < 0)', fs);
const majority = Math.max(...LABELS.map((l) => counts[l]!)) / set.length;
console.log(`\nmajority-class accuracy: ${pct(majority).trim()}`);
console.log(`summary: rules accuracy ${pct(fr.accuracy).trim()} macro-F1 ${fr.macroF1.toFixed(3)} | wink accuracy ${pct(fw.accuracy).trim()} macro-F1 ${fw.macroF1.toFixed(3)} | wink(sign) accuracy ${pct(fs.accuracy).trim()} macro-F1 ${fs.macroF1.toFixed(3)}`);
console.log(`scoring time: ${((t1 - t0) / set.length).toFixed(3)} ms per headline (rules)`);
