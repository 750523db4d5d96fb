/**
 * Row weights of the sentiment trainer (`sentiment.ts`) and of the gate study that retrains like it
 * (`scripts/eval/sentiment-gate.ts`) — one formula, so the two cannot drift apart:
 *
 *   weight = class weight × (N / (S × N_s))^α × (augmentWeight if the row's source is an --augment file, else 1)
 *
 * class weight: `N / (3 × N_c)` with balanced classes, else 1; N rows in `data`, S sources present in
 * `data`, N_s rows of the row's source, α the source-balance exponent. Every `--augment` file is its own
 * source (so it gets the same total weight as a training file before the multiplier).
 */
export type ClassWeighting = 'none' | 'balanced';
const CLASS_INDEX = { negative: 0, neutral: 1, positive: 2 } as const;

export interface WeightedRow {
  /** Index of the file the row came from (training files first, then --augment files). */
  source: number;
  label: 'negative' | 'neutral' | 'positive';
}

export function rowWeights(
  data: readonly WeightedRow[],
  o: { classWeighting: ClassWeighting; sourceBalance: number; augmentSources: ReadonlySet<number>; augmentWeight: number },
): number[] {
  const perClass = [0, 0, 0];
  const perSource = new Map<number, number>();
  for (const r of data) {
    perClass[CLASS_INDEX[r.label]]!++;
    perSource.set(r.source, (perSource.get(r.source) ?? 0) + 1);
  }
  const present = perSource.size;
  return data.map((r) => {
    const c = o.classWeighting === 'balanced' ? data.length / (3 * perClass[CLASS_INDEX[r.label]]!) : 1;
    return c * (data.length / (present * perSource.get(r.source)!)) ** o.sourceBalance * (o.augmentSources.has(r.source) ? o.augmentWeight : 1);
  });
}
