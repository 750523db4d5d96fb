/**
 * The trained headline sentiment model and its combination with the rules
 * (`processor/enrich/sentiment/{model,classify,features,afinn}.ts`), the trainer's optimiser
 * (`scripts/train/softmax.ts`) and the labelled-set readers (`scripts/eval/datasets.ts`).
 * Examples are made up for these tests; none comes from a training or evaluation set.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  annotate,
  featureTokens,
  loadModel,
  scoreHeadline,
  scoreRules,
  scoreWithModelOnly,
  scoreWithWinkOnly,
  sentimentModel,
  useSentimentModel,
  DEFAULT_MODEL_PATH,
  SentimentModel,
  type SentimentModelFile,
} from '../../processor/enrich/sentiment/index.js';
import { applyRuleGate, isRuleGate } from '../../processor/enrich/sentiment/gate.js';
import { FEATURES_VERSION, termCounts } from '../../processor/enrich/sentiment/features.js';
import { fitSoftmax } from '../../scripts/train/softmax.js';
import { readLabelledSet } from '../../scripts/eval/datasets.js';
import { readLexicon } from '../../scripts/eval/lexicon-features.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'rtas-sentiment-'));

/** A hand-made model: "up" → positive, "down" → negative, everything else neutral. */
function tinyModel(extra: Partial<SentimentModelFile> = {}): SentimentModelFile {
  return {
    format: 'rtas-sentiment-tfidf-logreg',
    version: 1,
    featuresVersion: FEATURES_VERSION,
    classes: ['negative', 'neutral', 'positive'],
    vocabulary: ['down', 'up'],
    idf: [1, 1],
    weights: [
      [5, -5],
      [0, 0],
      [-5, 5],
    ],
    bias: [0, 1, 0],
    ruleOverride: null,
    ruleFeatures: false,
    training: {},
    ...extra,
  };
}

describe('names on Object.prototype score like any unknown word (no NaN)', () => {
  const names = Object.getOwnPropertyNames(Object.prototype);
  it.each(names)('"%s"', (name) => {
    const r = scoreHeadline(`Acme ${name} beats estimates`);
    expect(Number.isFinite(r.score)).toBe(true);
    expect(Number.isFinite(r.comparative)).toBe(true);
    expect(r.score).toBe(scoreRules('Acme beats estimates').score);
    expect(Object.values(r.probabilities).every(Number.isFinite)).toBe(true);
    expect(scoreRules(name)).toMatchObject({ score: 0, label: 'neutral' });
    expect(typeof scoreWithWinkOnly(`${name} rally`).score).toBe('number');
    expect(Number.isFinite(scoreWithWinkOnly(`${name} rally`).score)).toBe(true);
    expect(annotate(name).every((t) => t.score === undefined)).toBe(true);
  });
});

describe('combined classifier', () => {
  afterEach(() => {
    useSentimentModel(loadModel());
  });

  it('returns the rules\' score and terms, the model\'s probabilities and who decided', () => {
    const r = scoreHeadline('Acme beats estimates, raises guidance');
    expect(r.matched).toEqual(['beats estimates', 'raises guidance']);
    expect(r.score).toBe(6);
    const sum = r.probabilities.negative + r.probabilities.neutral + r.probabilities.positive;
    expect(sum).toBeCloseTo(1, 3);
    expect(['model', 'rule']).toContain(r.decided_by);
    expect(r.label).toBe('positive');
  });

  it('the model decides unless the rules give a strong cue (ruleOverride)', () => {
    useSentimentModel(new SentimentModel(tinyModel()));
    expect(scoreHeadline('Acme misses estimates, shares up')).toMatchObject({ label: 'positive', decided_by: 'model' });
    useSentimentModel(new SentimentModel(tinyModel({ ruleOverride: 2 })));
    expect(scoreHeadline('Acme misses estimates, shares up')).toMatchObject({ label: 'negative', decided_by: 'rule', score: -2 });
    // A weak rule score stays below the override: the model decides.
    expect(scoreHeadline('Acme signs agreement, shares down')).toMatchObject({ label: 'negative', decided_by: 'model', score: 0 });
  });

  it('the gate (ruleGate): strong financial-rules evidence decides when the model barely prefers another class', () => {
    // tinyModel on a text without "up"/"down": P = 0.21 / 0.58 / 0.21, so neutral leads positive by 0.37.
    const formal = 'Operating profit rose to EUR 12 mn from EUR 9 mn';
    expect(scoreRules(formal)).toMatchObject({ label: 'positive', score: 2, financialScore: 2 });
    useSentimentModel(new SentimentModel(tinyModel({ ruleGate: { kind: 'margin', minScore: 2, maxMargin: 0.5, evidence: 'financial' } })));
    expect(scoreHeadline(formal)).toMatchObject({ label: 'positive', decided_by: 'rule' });
    // Generic AFINN words are not financial evidence: the model's neutral stands.
    const generic = 'A great, wonderful and happy day for Acme';
    expect(scoreRules(generic)).toMatchObject({ label: 'positive', financialScore: 0 });
    expect(scoreHeadline(generic)).toMatchObject({ label: 'neutral', decided_by: 'model' });
    // A confident model is not overturned ("up" → positive ≈ 0.98; the rules say negative).
    expect(scoreHeadline('Acme misses estimates, shares up')).toMatchObject({ label: 'positive', decided_by: 'model' });
    // A smaller margin: the model's neutral stands.
    useSentimentModel(new SentimentModel(tinyModel({ ruleGate: { kind: 'margin', minScore: 2, maxMargin: 0.2, evidence: 'financial' } })));
    expect(scoreHeadline(formal)).toMatchObject({ label: 'neutral', decided_by: 'model' });
    // evidence "all": the generic words count.
    useSentimentModel(new SentimentModel(tinyModel({ ruleGate: { kind: 'margin', minScore: 2, maxMargin: 0.5 } })));
    expect(scoreHeadline(generic)).toMatchObject({ label: 'positive', decided_by: 'rule' });
  });

  it('gate kinds, and decided_by "rule" only when the rules changed the model\'s label', () => {
    const p = { negative: 0.2, neutral: 0.45, positive: 0.35 };
    const pos = { score: 3, label: 'positive' as const, financialScore: 3 };
    expect(applyRuleGate(null, p, pos)).toEqual({ label: 'neutral', decided_by: 'model' });
    expect(applyRuleGate({ kind: 'margin', minScore: 2, maxMargin: 0.2, evidence: 'financial' }, p, pos)).toEqual({ label: 'positive', decided_by: 'rule' });
    expect(applyRuleGate({ kind: 'margin', minScore: 4, maxMargin: 0.2, evidence: 'financial' }, p, pos)).toEqual({ label: 'neutral', decided_by: 'model' });
    // The financial part must point the way of the rules' label.
    expect(applyRuleGate({ kind: 'margin', minScore: 2, maxMargin: 0.2, evidence: 'financial' }, p, { ...pos, financialScore: -2 })).toEqual({ label: 'neutral', decided_by: 'model' });
    expect(applyRuleGate({ kind: 'unsure', minScore: 2, maxConfidence: 0.5 }, p, pos).label).toBe('positive');
    expect(applyRuleGate({ kind: 'neutral', minScore: 2, maxConfidence: 0.4 }, p, pos).label).toBe('neutral');
    expect(applyRuleGate({ kind: 'support', minScore: 2, minSupport: 0.3 }, p, pos).label).toBe('positive');
    expect(applyRuleGate({ kind: 'blend', beta: 0.1 }, p, pos).label).toBe('positive');
    // The rules agree with the model: the model decided.
    expect(applyRuleGate({ kind: 'unsure', minScore: 2, maxConfidence: 1.1 }, { negative: 0.1, neutral: 0.2, positive: 0.7 }, pos)).toEqual({ label: 'positive', decided_by: 'model' });
    // Rules neutral: never a rule decision.
    expect(applyRuleGate({ kind: 'unsure', minScore: 0, maxConfidence: 1.1 }, p, { score: 1, label: 'neutral', financialScore: 1 }).decided_by).toBe('model');
    expect(isRuleGate({ kind: 'margin', minScore: 2, maxMargin: 0.2, evidence: 'financial' })).toBe(true);
    expect(isRuleGate({ kind: 'margin', minScore: 2 })).toBe(false);
    expect(isRuleGate({ kind: 'later' })).toBe(false);
    expect(() => new SentimentModel(tinyModel({ ruleGate: { kind: 'margin' } as never }))).toThrow(/ruleGate/);
  });

  it('the shipped model carries the gate chosen in docs/sentiment.md', () => {
    expect(sentimentModel().ruleGate).toEqual({ kind: 'margin', minScore: 2, maxMargin: 0.2, evidence: 'financial' });
  });

  it('rule features reach the model only when the file says so; "model alone" is its text-only model', () => {
    const withRules = tinyModel({
      vocabulary: ['__rules:negative', 'down', 'up'],
      idf: [1, 1, 1],
      weights: [
        [20, 5, -5],
        [0, 0, 0],
        [0, -5, 5],
      ],
      ruleFeatures: true,
    });
    useSentimentModel(new SentimentModel({ ...withRules, textOnly: tinyModel() }));
    expect(scoreHeadline('Acme misses estimates, shares up')).toMatchObject({ label: 'negative', decided_by: 'model' });
    expect(scoreWithModelOnly('Acme misses estimates, shares up').label).toBe('positive');
  });

  it('scoring vectorises exactly like training counts terms (unigrams + bigrams, sublinear tf, L2)', () => {
    const m = sentimentModel();
    const seq = featureTokens(annotate('$ACME shares up 5% up again on record revenue https://t.co/x'));
    expect(seq).toEqual(['<ticker>', 'shares', 'up', '<num>', '%', 'up', 'again', 'on', 'record', 'revenue']);
    const { idx, val } = m.vectorize(seq);
    const vocab = m.file.vocabulary;
    const expected = new Map<string, number>();
    for (const [term, count] of termCounts(seq)) {
      const i = vocab.indexOf(term);
      if (i >= 0) expected.set(term, (1 + Math.log(count)) * m.file.idf[i]!);
    }
    const norm = Math.sqrt([...expected.values()].reduce((s, v) => s + v * v, 0));
    const got = new Map(idx.map((i, k) => [vocab[i]!, val[k]!]));
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [term, v] of expected) expect(got.get(term)).toBeCloseTo(v / norm, 10);
  });
});

describe('model file', () => {
  it('the shipped model is small, trained on the two shipped training sets (and the synthetic formal sentences, --augment), and loads', () => {
    expect(statSync(DEFAULT_MODEL_PATH).size).toBeLessThanOrEqual(5 * 1024 * 1024);
    const m = loadModel();
    expect(m.file.classes).toEqual(['negative', 'neutral', 'positive']);
    expect(m.file.vocabulary.length).toBeGreaterThan(1000);
    const sources = m.file.training.sources as { file: string; sha256: string; rows: number }[];
    expect(sources.map((s) => [s.file, s.rows])).toEqual([
      ['sent_train.csv', 9543],
      ['FinEntity.json', 851],
      ['formal-news.tsv', 900],
    ]);
    // Trained on exactly the files shipped in data/sentiment (so `npm run train:sentiment` reproduces it).
    const shipped = ['twitter-financial-news/sent_train.csv', 'finentity/FinEntity.json', 'synthetic/formal-news.tsv'].map((f) => readFileSync(path.resolve('data/sentiment', f)));
    expect(sources.map((s) => s.sha256)).toEqual(shipped.map((b) => createHash('sha256').update(b).digest('hex')));
  });

  /** A small made-up training CSV (Twitter Financial News format): 40 rows per class. */
  function madeUpTrainCsv(): string {
    const words = { positive: ['beats', 'soars', 'upgrade', 'record'], negative: ['misses', 'plunges', 'downgrade', 'lawsuit'], neutral: ['schedules', 'names', 'files', 'holds'] };
    const code = { negative: 0, positive: 1, neutral: 2 } as const;
    const lines = ['text,label'];
    for (let i = 0; i < 40; i++) {
      for (const [label, ws] of Object.entries(words)) lines.push(`Company${i} ${ws[i % 4]} again ${ws[(i + 1) % 4]},${code[label as keyof typeof code]}`);
    }
    const train = path.join(tmp, 'train.csv');
    writeFileSync(train, `${lines.join('\n')}\n`);
    return train;
  }

  it('the trainer CLI writes a model that loads and scores (small made-up set)', () => {
    const train = madeUpTrainCsv();
    const out = path.join(tmp, 'model.json');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/train/sentiment.ts', '--train', train, '--out', out, '--l2', '0.001', '--override', '3'], { encoding: 'utf8' });
    expect(run.stderr).toContain('development split');
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as { features: number };
    expect(summary.features).toBeGreaterThan(10);
    const m = loadModel(out);
    expect((m.file.training.sources as { rows: number }[])[0]!.rows).toBe(120);
    const p = m.textOnly.predict(featureTokens(annotate('Company99 soars again record')));
    expect(p.positive).toBeGreaterThan(p.negative);
    expect(p.positive).toBeGreaterThan(p.neutral);
  });

  it('the trainer with two training files splits each for development and scores settings per file', () => {
    const train = madeUpTrainCsv();
    const second = path.join(tmp, 'second.json');
    const records = [];
    for (let i = 0; i < 30; i++) {
      records.push({ content: `Firm${i} shares surge after upgrade`, annotations: [{ label: 'Positive' }] });
      records.push({ content: `Firm${i} shares slump after downgrade`, annotations: [{ label: 'Negative' }] });
      records.push({ content: `Firm${i} names a new director`, annotations: [{ label: 'Neutral' }] });
    }
    writeFileSync(second, JSON.stringify(records));
    const out = path.join(tmp, 'model2.json');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/train/sentiment.ts', '--train', train, '--train', second, '--out', out, '--l2', '0.001', '--override', '3', '--source-balance', '0,1'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/sourceBalance=1 /);
    expect(run.stderr).toMatch(/train\.csv \d\.\d{3}\/\d\.\d{3}, second\.json \d\.\d{3}\/\d\.\d{3}/);
    const m = loadModel(out);
    const dev = m.file.training.development as { devRows: number; chosen: { perSource: unknown[] }; grid: { sourceBalance: number[] } };
    expect(dev.chosen.perSource).toHaveLength(2);
    expect(dev.grid.sourceBalance).toEqual([0, 1]);
    // 15 % of each file's classes: 6 per class of 40 (train.csv) and 5 per class of 30 (second.json).
    expect(dev.devRows).toBe(3 * 6 + 3 * 5);
  });

  /** Made-up extra rows for --augment; the positive ones carry "zorblax", a word no training row has. */
  function madeUpExtraTsv(): string {
    const extra = path.join(tmp, 'extra.tsv');
    const lines = ['label\theadline'];
    for (let i = 0; i < 20; i++) lines.push(`positive\tNet sales zorblax to USD ${i + 20} million from USD ${i + 10} million`, `negative\tNet sales fell to EUR ${i + 10} mn from EUR ${i + 20} mn`, `neutral\tThe meeting will be held on May ${i + 1}`);
    writeFileSync(extra, `${lines.join('\n')}\n`);
    return extra;
  }
  type Dev = { devRows: number; devRowsSha256: string; fitRows: number; chosen: { perSource: unknown[] }; grid: { classWeighting: string[]; sourceBalance: number[] } };
  /** Runs the trainer on the made-up set (one fixed setting) with extra arguments; returns the model. */
  function trainSmall(name: string, extraArgs: string[]): SentimentModel {
    const out = path.join(tmp, name);
    const args = ['--import', 'tsx', 'scripts/train/sentiment.ts', '--train', madeUpTrainCsv(), ...extraArgs, '--out', out, '--l2', '0.001', '--override', '3', '--class-weighting', 'balanced'];
    const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(run.stderr).toContain('development split');
    expect(run.status).toBe(0);
    return loadModel(out);
  }

  it('the trainer fits --augment rows without splitting them for development or counting them in the criterion', () => {
    const extra = madeUpExtraTsv();
    const m = trainSmall('model3.json', ['--augment', extra, '--augment-weight', '0.3']);
    const sources = m.file.training.sources as { file: string; rows: number; augment?: boolean; weight?: number }[];
    expect(sources.map((s) => [s.file, s.rows, s.augment ?? false])).toEqual([['train.csv', 120, false], ['extra.tsv', 60, true]]);
    expect(sources[1]!.weight).toBe(0.3);
    const dev = m.file.training.development as Dev;
    expect(dev.devRows).toBe(3 * 6); // the training file's 15 % only
    expect(dev.fitRows).toBe(120 - 18 + 60);
    expect(dev.chosen.perSource).toHaveLength(1);
    expect(dev.grid.classWeighting).toEqual(['balanced']);
    expect(dev.grid.sourceBalance).toEqual([0]); // one training file: no source weighting to choose
    expect(m.file.training.rows).toBe(180);
    // The same development rows as a run without --augment (not merely as many).
    const plain = trainSmall('model3-plain.json', []);
    const plainDev = plain.file.training.development as Dev;
    expect(plainDev.devRows).toBe(dev.devRows);
    expect(plainDev.devRowsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(dev.devRowsSha256).toBe(plainDev.devRowsSha256);
    expect(plain.file.vocabulary).not.toContain('zorblax');
    expect(m.file.vocabulary).toContain('zorblax');
  });

  it('--augment-weight scales the extra rows: weight 0 leaves a term only they contain unlearnt, weight 1 learns it', () => {
    const extra = madeUpExtraTsv();
    /** The term's weight for the positive class; 0 when the trainer dropped it (all its weights round to 0). */
    const positiveWeight = (m: SentimentModel): number => {
      const i = m.file.vocabulary.indexOf('zorblax');
      return i < 0 ? 0 : m.file.weights[m.file.classes.indexOf('positive')]![i]!;
    };
    const w0 = positiveWeight(trainSmall('model-w0.json', ['--augment', extra, '--augment-weight', '0']));
    const w1 = positiveWeight(trainSmall('model-w1.json', ['--augment', extra, '--augment-weight', '1']));
    expect(Math.abs(w0)).toBeLessThan(1e-6); // no row with weight > 0 contains it: only L2 acts on it
    expect(w1).toBeGreaterThan(0.1);
  });

  it('the trainer refuses an empty or unknown --class-weighting', () => {
    for (const v of ['', 'none,', 'balanced,other']) {
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/train/sentiment.ts', '--train', madeUpTrainCsv(), '--class-weighting', v, '--out', path.join(tmp, 'never.json')], { encoding: 'utf8' });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('none and/or balanced');
    }
  });

  it('refuses a file of another format, features version or shape, naming the file', () => {
    const write = (name: string, body: unknown): string => {
      const p = path.join(tmp, name);
      writeFileSync(p, JSON.stringify(body));
      return p;
    };
    expect(() => loadModel(write('a.json', { format: 'other' }))).toThrow(/a\.json: sentiment model: unknown format/);
    expect(() => loadModel(write('b.json', tinyModel({ featuresVersion: FEATURES_VERSION + 1 })))).toThrow(/train:sentiment/);
    expect(() => loadModel(write('c.json', tinyModel({ idf: [1] })))).toThrow(/differ in size/);
    expect(() => loadModel(write('d.json', tinyModel({ ruleFeatures: true })))).toThrow(/textOnly/);
    expect(() => loadModel(path.join(tmp, 'missing.json'))).toThrow(/missing\.json/);
    const p = path.join(tmp, 'e.json');
    writeFileSync(p, '{not json');
    expect(() => loadModel(p)).toThrow(/e\.json/);
  });
});

describe('softmax regression (L-BFGS)', () => {
  it('fits a separable three-class problem and lowers the loss', () => {
    const rows = [
      { idx: [0], val: [1] },
      { idx: [0, 2], val: [0.8, 0.6] },
      { idx: [1], val: [1] },
      { idx: [1, 2], val: [0.8, 0.6] },
      { idx: [2], val: [1] },
      { idx: [2, 3], val: [0.6, 0.8] },
    ];
    const labels = [0, 0, 2, 2, 1, 1];
    const losses: number[] = [];
    const fit = fitSoftmax(rows, labels, { classes: 3, features: 4, l2: 1e-3, onIteration: (_, l) => losses.push(l) });
    expect(losses.length).toBeGreaterThan(1);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    const predict = (r: { idx: number[]; val: number[] }): number => {
      const z = [0, 1, 2].map((c) => fit.bias[c]! + r.idx.reduce((s, j, k) => s + fit.weights[c]![j]! * r.val[k]!, 0));
      return z.indexOf(Math.max(...z));
    };
    expect(rows.map(predict)).toEqual(labels);
  });
});

describe('labelled-set readers', () => {
  it('reads the Twitter Financial News CSV (0 bearish, 1 bullish, 2 neutral)', () => {
    const p = path.join(tmp, 'tfns.csv');
    writeFileSync(p, 'text,label\n"$X - X falls, again",0\nX beats,1\nX meets,2\n');
    expect(readLabelledSet(p)).toMatchObject({
      format: 'twitter-financial-news',
      items: [
        { label: 'negative', text: '$X - X falls, again' },
        { label: 'positive', text: 'X beats' },
        { label: 'neutral', text: 'X meets' },
      ],
    });
  });

  it('reads SEntFiN: one label when the entities agree, conflicting headlines left out and counted', () => {
    const p = path.join(tmp, 'sentfin.csv');
    writeFileSync(
      p,
      'S No.,Title,Decisions,Words\n1,A up,"{""A"": ""positive""}",2\n2,A up B down,"{""A"": ""positive"", ""B"": ""negative""}",4\n3,"A, B flat","{""A"": ""neutral"", ""B"": ""neutral""}",3\n',
    );
    const set = readLabelledSet(p);
    expect(set).toMatchObject({ format: 'sentfin', skipped: 1, items: [{ label: 'positive', text: 'A up' }, { label: 'neutral', text: 'A, B flat' }] });
  });

  it('reads FinEntity JSON: agreeing entity labels, Reuters codes removed, conflicts left out and counted', () => {
    const p = path.join(tmp, 'finentity.json');
    writeFileSync(
      p,
      JSON.stringify([
        { content: 'Acme <ACME.N> shares rose 2%. [nL4N2Z028U] ', annotations: [{ label: 'Positive', value: 'Acme' }] },
        { content: 'Acme fell, Globex rose', annotations: [{ label: 'Negative' }, { label: 'Positive' }] },
        { content: 'Acme and Globex met', annotations: [{ label: 'Neutral' }, { label: 'Neutral' }] },
        { content: 'No entities', annotations: [] },
      ]),
    );
    expect(readLabelledSet(p)).toMatchObject({
      format: 'finentity',
      skipped: 2,
      items: [
        { label: 'positive', text: 'Acme shares rose 2%.' },
        { label: 'neutral', text: 'Acme and Globex met' },
      ],
    });
    const bad = path.join(tmp, 'finentity-bad.json');
    writeFileSync(bad, JSON.stringify([{ content: 'x', annotations: [{ label: 'Bullish' }] }]));
    expect(() => readLabelledSet(bad)).toThrow(/finentity-bad\.json: record 1/);
  });

  it('rejects an unknown format and a bad label with the file named', () => {
    const a = path.join(tmp, 'x.csv');
    writeFileSync(a, 'foo,bar\n1,2\n');
    expect(() => readLabelledSet(a)).toThrow(/x\.csv: unknown format/);
    const b = path.join(tmp, 'y.csv');
    writeFileSync(b, 'text,label\nhello,7\n');
    expect(() => readLabelledSet(b)).toThrow(/y\.csv: record 1/);
  });
});

describe('lexicon: movement words in both directions, finance-neutral nouns', () => {
  it.each([
    ['Revenue declined 5% in the quarter', 'negative'],
    ['Sales decreased year on year', 'negative'],
    ['Operating profit dropped', 'negative'],
    ['Shipments slumped in March', 'negative'],
    ['Orders are declining', 'negative'],
    ['Revenue rose 5% in the quarter', 'positive'],
    ['Sales increased year on year', 'positive'],
    ['Costs decreased in the quarter', 'positive'],
    ['Net loss decreased', 'positive'],
    ['Acme reports quarterly profit of $3 million', 'neutral'],
    ['Acme sells assets to Globex', 'neutral'],
    ['Margins deteriorated', 'negative'],
  ])('%s → %s (rules)', (text, want) => expect(scoreRules(text).label).toBe(want));
});

describe('readLexicon (scripts/eval/lexicon-features.ts)', () => {
  it('reads term<TAB>polarity, skips multi-word terms, throws on a missing file and on a polarity that is not a number', () => {
    const ok = path.join(tmp, 'lex.tsv');
    writeFileSync(ok, 'term\tpolarity\ngain\t0.6\nweak demand\t-0.5\nloss\t-0.8\n');
    expect([...readLexicon(ok)]).toEqual([['gain', 0.6], ['loss', -0.8]]);
    expect(() => readLexicon(path.join(tmp, 'no-such-lexicon.tsv'))).toThrow(/ENOENT/);
    const badFile = path.join(tmp, 'lex-bad.tsv');
    writeFileSync(badFile, 'term\tpolarity\ngain\t0.6\nloss\tnegative\n');
    expect(() => readLexicon(badFile)).toThrow(/lex-bad\.tsv:3: polarity of "loss" is not a number/);
    const missing = path.join(tmp, 'lex-missing.tsv');
    writeFileSync(missing, 'term\tpolarity\ngain\n');
    expect(() => readLexicon(missing)).toThrow(/lex-missing\.tsv:2/);
  });
});
