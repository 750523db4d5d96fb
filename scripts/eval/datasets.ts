/**
 * Readers for the labelled sentiment sets the trainer and the evaluation accept. Formats, chosen by
 * content (header line), not by file name:
 * - `text,label` CSV: the Twitter Financial News Sentiment set (zeroshot/twitter-financial-news-sentiment,
 *   MIT; `sent_train.csv`, `sent_valid.csv`), labels 0 Bearish → negative, 1 Bullish → positive,
 *   2 Neutral → neutral (its dataset card);
 * - `S No.,Title,Decisions,Words` CSV: SEntFiN 1.0 (Sinha et al. 2022, JASIST, doi:10.1002/asi.24634),
 *   entity-level labels per headline (`{"SpiceJet": "neutral"}`); a headline gets a label when all its
 *   entities agree, and headlines with conflicting entity labels are left out (counted in `skipped`);
 * - FinEntity JSON (Tang et al. 2023, EMNLP, doi:10.18653/v1/2023.emnlp-main.956; ODC-BY 1.0): an array of
 *   `{"content": "<news sentence>", "annotations": [{"label": "Positive" | "Negative" | "Neutral", …}]}`,
 *   entity-level labels like SEntFiN: a sentence gets a label when all its entities agree; sentences with
 *   conflicting entity labels (or none) are left out (counted in `skipped`);
 * - `label<TAB>headline` TSV with labels positive/negative/neutral (the self-authored fixture).
 * csv-parse reads quoted fields (commas, newlines inside).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

export const LABELS = ['positive', 'negative', 'neutral'] as const;
export type Label = (typeof LABELS)[number];

/** One labelled item. */
export interface Item {
  label: Label;
  text: string;
}

/** A read set: its items, the format recognised, and the rows left out (with why). */
export interface LabelledSet {
  format: 'twitter-financial-news' | 'sentfin' | 'finentity' | 'tsv';
  items: Item[];
  skipped: number;
  skippedReason?: string;
}

const TFNS_LABELS: Record<string, Label> = { '0': 'negative', '1': 'positive', '2': 'neutral' };
const isLabel = (x: unknown): x is Label => (LABELS as readonly unknown[]).includes(x);

/**
 * Reads a labelled set (see the module comment for the formats).
 * @throws Error naming the file and record on an unknown format, an unknown label or a malformed row.
 */
export function readLabelledSet(file: string): LabelledSet {
  const raw = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const header = raw.slice(0, raw.indexOf('\n') >>> 0).trim();
  if (raw.trimStart().startsWith('[')) return readFinEntity(file, raw);
  if (/^label\t/.test(header)) {
    const lines = raw.split('\n').filter((l) => l.trim() !== '').slice(1);
    return {
      format: 'tsv',
      skipped: 0,
      items: lines.map((l, i) => {
        const tab = l.indexOf('\t');
        const label = l.slice(0, tab).trim();
        if (tab < 0 || !isLabel(label)) throw new Error(`${file}:${i + 2}: expected "positive|negative|neutral<TAB>headline"`);
        return { label, text: l.slice(tab + 1) };
      }),
    };
  }
  const rows = parse(raw, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  if (header === 'text,label') {
    return {
      format: 'twitter-financial-news',
      skipped: 0,
      items: rows.map((r, i) => {
        const label = TFNS_LABELS[r.label ?? ''];
        if (!label || r.text === undefined) throw new Error(`${file}: record ${i + 1}: expected text,label with label 0, 1 or 2`);
        return { label, text: r.text };
      }),
    };
  }
  if (/^S No\.?,Title,Decisions/.test(header)) {
    const items: Item[] = [];
    let skipped = 0;
    rows.forEach((r, i) => {
      let decisions: Record<string, string>;
      try {
        decisions = JSON.parse(r.Decisions ?? '') as Record<string, string>;
      } catch {
        throw new Error(`${file}: record ${i + 1}: Decisions is not JSON`);
      }
      const labels = new Set(Object.values(decisions));
      if (r.Title === undefined || labels.size === 0 || [...labels].some((l) => !isLabel(l))) {
        throw new Error(`${file}: record ${i + 1}: expected Title and Decisions with positive/negative/neutral`);
      }
      if (labels.size > 1) skipped++;
      else items.push({ label: [...labels][0] as Label, text: r.Title });
    });
    return { format: 'sentfin', items, skipped, skippedReason: 'entities with conflicting labels' };
  }
  throw new Error(`${file}: unknown format (header "${header.slice(0, 60)}"); expected text,label / S No.,Title,Decisions,Words / FinEntity JSON / label<TAB>headline`);
}

/**
 * FinEntity's sentences are Reuters copy with instrument codes and story references inline
 * ("Johnson & Johnson <JNJ.N> shares gained … [nL4N2Z028U]"): markup, not words of the sentence, so
 * they are removed (the collapsed spaces too).
 */
function stripReutersCodes(text: string): string {
  return text
    .replace(/<[A-Za-z0-9.=^_-]+>/g, ' ')
    .replace(/\[n[A-Z0-9]+\]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** FinEntity's JSON array (see the module comment). */
function readFinEntity(file: string, raw: string): LabelledSet {
  let records: unknown;
  try {
    records = JSON.parse(raw);
  } catch (e) {
    throw new Error(`${file}: starts with "[" but is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(records)) throw new Error(`${file}: expected a JSON array of {content, annotations}`);
  const items: Item[] = [];
  let skipped = 0;
  records.forEach((r: { content?: unknown; annotations?: { label?: unknown }[] }, i) => {
    if (typeof r?.content !== 'string' || !Array.isArray(r.annotations)) throw new Error(`${file}: record ${i + 1}: expected {content: string, annotations: [...]}`);
    const labels = new Set(r.annotations.map((a) => String(a?.label ?? '').toLowerCase()));
    if ([...labels].some((l) => !isLabel(l))) throw new Error(`${file}: record ${i + 1}: entity label not Positive/Negative/Neutral`);
    if (labels.size !== 1) skipped++;
    else items.push({ label: [...labels][0] as Label, text: stripReutersCodes(r.content) });
  });
  return { format: 'finentity', items, skipped, skippedReason: 'entities with conflicting labels, or none' };
}
