/**
 * Cost of the processor's news stage with the trained sentiment model, and of the model itself,
 * measured in one run on one thread:
 *
 *   npx tsx scripts/eval/news-throughput.ts [--lines 20000] [--passes 3]
 *
 * The news stage of the processor per line is decode (JSON) → validate (zod) → enrich (tickers,
 * sentiment, ECS) → serialise for `_bulk`. It is timed as run today (`scoreHeadline`: rules + model).
 * The model adds (combined − rules-only) per line to that stage, both timed in the same run on the
 * same headlines, so the stage without the model is the measured stage minus that difference. Times
 * are CPU time of this process (the machine is shared), after a warm-up pass. Prints one JSON line.
 * (The README's before/after figures also ran this measurement on the commit before the model, where
 * `scoreHeadline` was the rules alone.)
 */
import { Command } from 'commander';
import { createNewsGenerator } from '../../generators/news/generator.js';
import { news } from '../../processor/datasets/news/index.js';
import type { EnrichContext } from '../../processor/datasets/types.js';
import type { SourcePosition } from '../../processor/pipeline/types.js';
import { scoreHeadline, scoreRules } from '../../processor/enrich/sentiment/index.js';

const opts = new Command('news-throughput')
  .option('--lines <n>', 'generated news lines', (v) => Math.max(100, Number(v) || 0), 20000)
  .option('--passes <n>', 'timed passes', (v) => Math.max(1, Number(v) || 0), 3)
  .parse()
  .opts<{ lines: number; passes: number }>();

const gen = createNewsGenerator({ seed: 42 });
const start = Date.parse('2026-11-21T14:00:00Z');
const lines = Array.from({ length: opts.lines }, (_, i) => gen.next(new Date(start + i * 500)));
const ctx = { now: () => new Date(start) } as unknown as EnrichContext;
const position: SourcePosition = { kind: 'kafka', topic: 'news.headlines', partition: 0, offset: '0' };
const dataStream = { ...news.dataStream, namespace: 'bench' };

function stage(line: string): number {
  const record = news.schema.parse(news.decode(line));
  return JSON.stringify(news.enrich(record, ctx, { raw: line, position, dataStream })).length;
}
const headlines = lines.map((l) => (JSON.parse(l) as { headline: string }).headline);

/** CPU microseconds per item of `f` over `items`, `opts.passes` passes after one warm-up pass. */
function cpuPerItem<T>(items: readonly T[], f: (x: T) => unknown): number {
  for (const x of items) f(x);
  const c0 = process.cpuUsage();
  for (let p = 0; p < opts.passes; p++) for (const x of items) f(x);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / (opts.passes * items.length);
}

const stageNow = cpuPerItem(lines, stage);
const combined = cpuPerItem(headlines, scoreHeadline);
const rules = cpuPerItem(headlines, (h) => scoreRules(h));
const stageWithoutModel = stageNow - (combined - rules);
const result = {
  lines: opts.lines,
  passes: opts.passes,
  stage_us_per_line: +stageNow.toFixed(2),
  stage_lines_per_cpu_s: Math.round(1e6 / stageNow),
  sentiment_combined_us: +combined.toFixed(2),
  sentiment_rules_only_us: +rules.toFixed(2),
  stage_without_model_lines_per_cpu_s: Math.round(1e6 / stageWithoutModel),
  throughput_ratio_with_over_without_model: +(stageWithoutModel / stageNow).toFixed(3),
};
console.log(JSON.stringify(result));
