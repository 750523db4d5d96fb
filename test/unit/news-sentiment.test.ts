/**
 * Financial headline sentiment rules (`scoreRules` in `processor/enrich/sentiment`) and ticker extraction
 * (`processor/datasets/news/tickers.ts`). The examples here are development cases written for the
 * rules; none is taken from the evaluation set in test/fixtures/sentiment.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from '@jest/globals';
import {
  scoreRules,
  scoreWithWinkOnly,
  labelForScore,
  POSITIVE_THRESHOLD,
  NEGATIVE_THRESHOLD,
} from '../../processor/enrich/sentiment/index.js';
import { extractCashtags, extractCompanyTickers, extractTickers, createNameMatcher } from '../../processor/datasets/news/tickers.js';
import { SYMBOLS } from '../../processor/datasets/news/symbols.js';
import { MOVES, NEUTRALISED, TERMS } from '../../processor/enrich/sentiment/lexicon.js';

const label = (t: string): string => scoreRules(t).label;

describe('clear polarity', () => {
  it.each([
    'Apple beats quarterly earnings estimates',
    'Analysts upgrade Nvidia to buy',
    'Costco announces $4 billion buyback',
    'Acme shares surge 20% on takeover offer',
    'Walmart posts record holiday revenue',
    'Exxon raises quarterly dividend',
  ])('positive: %s', (t) => expect(label(t)).toBe('positive'));

  it.each([
    'Intel misses revenue estimates',
    'Moody\'s downgrades Boeing',
    'Acme files for bankruptcy',
    'Tesla shares plunge after delivery shortfall',
    'Pfizer faces shareholder lawsuit over vaccine disclosures',
    'Acme to cut 1,200 jobs in restructuring',
    'Regulators open probe into Acme billing practices',
    'Automaker recalls 300,000 trucks',
  ])('negative: %s', (t) => expect(label(t)).toBe('negative'));

  it.each([
    'Acme to report earnings on Thursday',
    'Globex names new chief financial officer',
    'Fed holds rates steady, as expected',
    'Initech results in line with estimates',
  ])('neutral: %s', (t) => expect(label(t)).toBe('neutral'));
});

describe('negation', () => {
  it('flips a financial term: "did not miss" is positive, "fails to beat" negative', () => {
    expect(scoreRules('Acme did not miss estimates').label).toBe('positive');
    expect(scoreRules("Acme didn't miss estimates").label).toBe('positive');
    expect(scoreRules('Acme fails to beat estimates').label).toBe('negative');
  });

  it('handles two-word negators: "no longer expects growth"', () => {
    const r = scoreRules('Acme no longer expects growth this year');
    expect(r.label).toBe('negative');
    expect(r.matched).toContain('not growth');
  });

  it('counts a negator once: "fails to beat" is the phrase flipped, not also AFINN\'s "fails"', () => {
    expect(scoreRules('Acme fails to beat estimates').score).toBe(-scoreRules('Acme beats estimates').score);
  });

  it('"avoids" negates a negative term', () => {
    expect(scoreRules('Airline avoids bankruptcy').label).toBe('positive');
  });

  it('does not reach across a clause boundary', () => {
    const r = scoreRules('No change to staff, Acme beats estimates');
    expect(r.matched).toContain('beats estimates');
    expect(r.label).toBe('positive');
  });
});

describe('phrase and movement rules', () => {
  it('guidance: raised is positive, cut is negative, in active and passive form', () => {
    expect(scoreRules('Acme raises full-year guidance').matched).toEqual(['raises guidance']);
    expect(scoreRules('Acme price target raised to $180 at broker').matched).toContain('raises guidance');
    expect(scoreRules('Acme cuts guidance').matched).toEqual(['cuts guidance']);
    expect(scoreRules('Acme guidance cut on weak demand').label).toBe('negative');
  });

  it('a phrase replaces the words it covers ("misses revenue estimates" counts once)', () => {
    const r = scoreRules('Acme misses revenue estimates');
    expect(r.matched).toEqual(['misses estimates']);
    expect(r.score).toBe(-3);
  });

  it('a movement takes the polarity of what moves', () => {
    expect(scoreRules('Input costs soar at Acme').label).toBe('negative');
    expect(scoreRules('Acme narrows loss').label).toBe('positive');
    expect(scoreRules('Acme loss widens').label).toBe('negative');
    expect(scoreRules('Acme margins widen').label).toBe('positive');
    expect(scoreRules('Inflation eases for third month').score).toBeGreaterThan(0);
    expect(scoreRules('Acme cuts costs').score).toBeGreaterThan(0);
  });

  it('swing to profit / loss', () => {
    expect(scoreRules('Acme swings to a profit').label).toBe('positive');
    expect(scoreRules('Acme swings to a net loss').label).toBe('negative');
  });

  it('weights the clause after "but" over the one before (VADER)', () => {
    expect(scoreRules('Profit rises but outlook disappoints').label).toBe('negative');
  });
});

describe('words AFINN misreads in finance are neutralised', () => {
  it.each(['Acme shares outstanding total 2 billion', 'Gross margin steady', 'Crude inventories build', 'Acme completes debt offering', 'Gold flat in Asian trade'])(
    '%s: plain wink scores it, the financial scorer does not',
    (t) => {
      expect(scoreWithWinkOnly(t).score).not.toBe(0);
      expect(scoreRules(t)).toMatchObject({ score: 0, label: 'neutral', matched: [] });
    },
  );

  it('every neutralised word has an AFINN-165 valence (no dead entries)', () => {
    const afinn = createRequire(import.meta.url)('wink-sentiment/src/afinn-en-165.js') as Record<string, number>;
    expect([...NEUTRALISED.keys()].filter((w) => afinn[w] === undefined)).toEqual([]);
  });

  it('no word is both a financial term and a movement word', () => {
    const forms = [...TERMS.flatMap((t) => t.forms), ...MOVES.flatMap((m) => m.forms)];
    expect(forms.length).toBe(new Set(forms).size);
  });

  it('"Fed" is the central bank, not AFINN\'s "fed up"', () => {
    expect(scoreRules('Fed up 25 basis points').matched).not.toContain('fed up');
  });
});

describe('names are not vocabulary', () => {
  it('an acronym is not the word it spells ("UPS" is not "ups" = raises)', () => {
    const r = scoreRules('UPS suspends dividend, shares sink');
    expect(r.matched).toEqual(['cuts dividend', 'shares sink']);
    expect(r.label).toBe('negative');
  });

  it('a cashtag is not the word it spells ("$LOW", "$WIN")', () => {
    expect(scoreRules("Lowe's ($LOW) adds a director to its board")).toMatchObject({ score: 0, matched: [] });
    expect(scoreRules('$WIN schedules annual meeting')).toMatchObject({ score: 0, matched: [] });
  });

  it('a capitalised word inside a sentence-case headline is a proper noun ("Victor", "Moody\'s")', () => {
    expect(scoreRules('Acme names Victor Hope to its board').matched).toEqual([]);
    expect(scoreRules("Ford recalls trucks; Moody's downgrades outlook").matched).toEqual(['recalls', 'downgrades']);
  });

  it('a proper noun may still start a phrase ("Chapter 11")', () => {
    expect(scoreRules('Acme files for Chapter 11 protection').matched).toEqual(['chapter 11']);
  });

  it('all-caps and title-case headlines still match the rules', () => {
    expect(scoreRules('APPLE BEATS ESTIMATES, RAISES GUIDANCE').matched).toEqual(['beats estimates', 'raises guidance']);
    expect(scoreRules('Apple Beats Estimates, Raises Guidance').matched).toEqual(['beats estimates', 'raises guidance']);
    expect(scoreRules('EPS beats estimates').label).toBe('positive');
  });
});

describe('output shape and thresholds', () => {
  it('labels at the documented thresholds', () => {
    expect(POSITIVE_THRESHOLD).toBe(2);
    expect(NEGATIVE_THRESHOLD).toBe(-2);
    expect(labelForScore(2)).toBe('positive');
    expect(labelForScore(1.99)).toBe('neutral');
    expect(labelForScore(-1.5)).toBe('neutral');
    expect(labelForScore(-2)).toBe('negative');
  });

  it('a lone weak AFINN word stays neutral', () => {
    const r = scoreRules('Acme signs supply agreement');
    expect(r.matched).toEqual(['agreement']);
    expect(r.score).toBe(1);
    expect(r.label).toBe('neutral');
  });

  it('comparative is score per word token', () => {
    const r = scoreRules('Acme beats estimates');
    expect(r.score).toBe(3);
    expect(r.comparative).toBe(1);
  });

  it('empty and punctuation-only text score 0', () => {
    expect(scoreRules('')).toEqual({ score: 0, comparative: 0, label: 'neutral', matched: [], financialScore: 0 });
    expect(scoreRules(' -- ')).toEqual({ score: 0, comparative: 0, label: 'neutral', matched: [], financialScore: 0 });
  });

  it('throws TypeError on a non-string', () => {
    expect(() => scoreRules(42 as unknown as string)).toThrow(TypeError);
  });

  it('is deterministic and does not leak state between calls', () => {
    const t = 'Acme beats estimates and raises outlook, shares jump';
    const first = scoreRules(t);
    scoreRules('Acme misses estimates, cuts guidance');
    expect(scoreRules(t)).toEqual(first);
  });
});

describe('tickers', () => {
  it('extracts cashtags, including share classes, and not dollar amounts', () => {
    expect(extractCashtags('Acme ($ACME) and $BRK.B rise; $5 billion deal; $aapl.')).toEqual(['ACME', 'BRK.B', 'AAPL']);
    expect(extractCashtags('costs $1.2bn, US$3, $$X')).toEqual([]);
  });

  it('matches company names case-sensitively on word boundaries', () => {
    expect(extractCompanyTickers('Apple Inc. and Microsoft rally; apple pie unchanged')).toEqual(['AAPL', 'MSFT']);
    expect(extractCompanyTickers("Apple's supplier; AT&T; Fordham University; Metaverse")).toEqual(['AAPL', 'T']);
    expect(extractCompanyTickers('Bank of America and Goldman Sachs')).toEqual(['BAC', 'GS']);
    expect(extractCompanyTickers('Analysts raise price target on the stock')).toEqual([]);
  });

  it('unions cashtags, names and the record field; deduplicated and sorted', () => {
    expect(extractTickers('Apple ($AAPL) and Nvidia lead; Apple Inc. again', ['msft', ' AAPL '])).toEqual(['AAPL', 'MSFT', 'NVDA']);
    expect(extractTickers('Stocks mixed ahead of data')).toEqual([]);
  });

  it('the symbol table has 50-100 companies, unique tickers and unique names', () => {
    expect(SYMBOLS.length).toBeGreaterThanOrEqual(50);
    expect(SYMBOLS.length).toBeLessThanOrEqual(100);
    expect(new Set(SYMBOLS.map((s) => s.ticker)).size).toBe(SYMBOLS.length);
    const names = SYMBOLS.flatMap((s) => s.names);
    expect(new Set(names).size).toBe(names.length);
  });

  it('a custom table can be matched', () => {
    const match = createNameMatcher([{ ticker: 'ACME', names: ['Acme Corp', 'Acme'] }]);
    expect(match('Acme Corp beats; Acme again; ACME shouting')).toEqual(['ACME', 'ACME']);
  });
});
