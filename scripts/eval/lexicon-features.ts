/**
 * Experiment of issue 19 (docs/sentiment.md, "2026-12-07 (afternoon)"; measured, not adopted): feature
 * terms from a polarity lexicon such as SentiBigNomics (Apache-2.0; not shipped here, see
 * data/sentiment/README.md), added beside the rules' feature terms by `sentiment-gate.ts --sbn <tsv>`.
 */
import { readFileSync } from 'node:fs';
/**
 * Features from a polarity lexicon (term → polarity in [−1, 1], e.g. SentiBigNomics): the net polarity
 * of the normalised tokens that are lexicon entries (each occurrence counts; "not"/"no"/"never"/"n't"
 * right before an entry flips it) gives `<prefix>:positive` when ≥ `threshold`, `<prefix>:negative` when
 * ≤ −`threshold`, and `:strong` beside it when |net| ≥ `strong`.
 */
export function lexiconFeatureTerms(prefix: string, seq: readonly string[], lexicon: ReadonlyMap<string, number>, threshold: number, strong: number): string[] {
  let net = 0;
  for (let i = 0; i < seq.length; i++) {
    const v = lexicon.get(seq[i]!);
    if (v === undefined || v === 0) continue;
    const prev = i > 0 ? seq[i - 1]! : '';
    net += prev === 'not' || prev === 'no' || prev === 'never' || prev === "n't" ? -v : v;
  }
  const dir = net >= threshold ? 'positive' : net <= -threshold ? 'negative' : null;
  if (dir === null) return [];
  return Math.abs(net) >= strong ? [`${prefix}:${dir}`, `${prefix}:${dir}:strong`] : [`${prefix}:${dir}`];
}

/**
 * Reads a `term<TAB>polarity` lexicon with a header line (single-word terms only; multi-word terms and
 * blank lines are skipped). Throws if the file cannot be read (e.g. a missing file: the `ENOENT` error of
 * `readFileSync`), and throws an error naming the file and line when a polarity is not a finite number.
 */
export function readLexicon(file: string): Map<string, number> {
  const out = new Map<string, number>();
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const [term, pol] = line.split('\t');
    if (!term || term.includes(' ')) continue;
    const v = pol === undefined ? NaN : Number(pol.trim());
    if (pol === undefined || pol.trim() === '' || !Number.isFinite(v)) {
      throw new Error(`${file}:${i + 1}: polarity of "${term}" is not a number: ${pol === undefined ? '(missing)' : JSON.stringify(pol)}`);
    }
    out.set(term, v);
  }
  return out;
}
