/**
 * Checks that every comparison in a synthetic formal news file (`synthetic-news.ts`) agrees with its
 * label: where a sentence states a new figure and an old one ("rose to X from Y", "amounted to X, up
 * from Y", "of X …, compared with Y", "narrowed to X from Y", "turned to a profit of X from a loss of Y",
 * "a dividend of X per share, up from Y"), the direction of the change — for a figure that is bad news
 * when it grows (loss, debt, costs, charges) the opposite direction — must be the label's (positive: up,
 * negative: down). Sentences without a comparison (no "from"/"compared with" figure) are counted, not
 * checked; a neutral sentence with a comparison is an error. Exits 1 on any contradiction.
 *
 *   npx tsx scripts/train/check-synthetic-news.ts data/sentiment/synthetic/formal-news.tsv
 */
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'data/sentiment/synthetic/formal-news.tsv';
const AMOUNT = String.raw`(?:EUR|USD|GBP|SEK|NOK|CHF|CAD)\s+(\d+(?:\.\d+)?)`;
const BAD = /\b(loss|losses|debt|expenses|costs|charges)\b/i;
const counts = { rows: 0, compared: 0, agree: 0, contradict: 0, noComparison: 0 };
const bad: string[] = [];
for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
  if (!line.trim()) continue;
  const [label, text] = line.split('\t') as [string, string];
  counts.rows++;
  // New figure, then the old one after "from" / "compared with" (the templates' only comparison forms).
  const cmp = new RegExp(`(?:to|of|at)\\s+(?:an? [a-z ]*?(profit|loss) of\\s+)?${AMOUNT}.*?(?:from|compared with)\\s+(?:an? (profit|loss) of\\s+)?${AMOUNT}`).exec(text);
  if (!cmp) {
    counts.noComparison++;
    continue;
  }
  counts.compared++;
  const [, newKind, newX, oldKind, oldX] = cmp;
  let up: boolean;
  if (newKind && oldKind && newKind !== oldKind) up = newKind === 'profit'; // loss → profit is up, profit → loss down
  else {
    const n = Number(newX);
    const o = Number(oldX);
    if (n === o) {
      bad.push(`${label}\t${text}\t(equal figures)`);
      counts.contradict++;
      continue;
    }
    // The metric is the text before the figure: a loss / debt / cost growing is bad news.
    const metric = text.slice(0, cmp.index);
    up = (n > o) !== BAD.test(metric);
  }
  const expected = up ? 'positive' : 'negative';
  if (label === expected) counts.agree++;
  else {
    counts.contradict++;
    bad.push(`${label}\t${text}\t(figures say ${expected})`);
  }
}
console.log(JSON.stringify(counts));
for (const b of bad) console.log(b);
process.exitCode = bad.length > 0 ? 1 : 0;
