/** Multi-class classification figures for the sentiment evaluation. */

/** Per-class precision, recall and F1 (0 when undefined, e.g. no predictions of that class). */
export interface ClassFigures {
  label: string;
  /** Gold items of this class. */
  support: number;
  /** Items predicted as this class. */
  predicted: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Figures for one classifier over one labelled set. */
export interface Figures {
  n: number;
  accuracy: number;
  /** Unweighted mean of the per-class F1 scores. */
  macroF1: number;
  classes: ClassFigures[];
  /** `confusion[gold][predicted]` counts. */
  confusion: Record<string, Record<string, number>>;
}

/**
 * Accuracy, per-class precision/recall/F1 and macro-F1 of `predicted` against `gold`
 * (same length, labels drawn from `labels`).
 * @throws Error when the arrays differ in length or are empty.
 */
export function classificationFigures(gold: readonly string[], predicted: readonly string[], labels: readonly string[]): Figures {
  if (gold.length !== predicted.length || gold.length === 0) throw new Error('gold and predicted must be non-empty and of equal length');
  const confusion: Record<string, Record<string, number>> = {};
  for (const g of labels) confusion[g] = Object.fromEntries(labels.map((p) => [p, 0]));
  let correct = 0;
  gold.forEach((g, i) => {
    const p = predicted[i]!;
    const row = confusion[g];
    if (!row || row[p] === undefined) throw new Error(`label outside ${labels.join('/')}: ${g} → ${p}`);
    row[p]! += 1;
    if (g === p) correct++;
  });
  const classes = labels.map((label) => {
    const tp = confusion[label]![label]!;
    const support = labels.reduce((s, p) => s + confusion[label]![p]!, 0);
    const predictedCount = labels.reduce((s, g) => s + confusion[g]![label]!, 0);
    const precision = predictedCount ? tp / predictedCount : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, support, predicted: predictedCount, precision, recall, f1 };
  });
  return {
    n: gold.length,
    accuracy: correct / gold.length,
    macroF1: classes.reduce((s, c) => s + c.f1, 0) / classes.length,
    classes,
    confusion,
  };
}
