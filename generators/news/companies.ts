/**
 * A fixed table of well-known US-listed companies, shared by the `news` and `ticks` generators.
 *
 * Names are the short conventional names used in headlines ("Apple", "Alphabet", "JPMorgan Chase",
 * "Exxon Mobil"), without legal suffixes; tickers are the primary US listing (class A shares where a
 * company has several classes, e.g. `GOOGL`). Tickers containing a dot (e.g. `BRK.B`) are left out on
 * purpose, so every ticker is a plain `[A-Z]{1,5}` cashtag.
 *
 * The market figures are ILLUSTRATIVE starting values for the synthetic price model, not quotes:
 * `price` is a round number of the order of the share price in 2024–2025, `volatility` an annualised
 * volatility of the order of the stock's historical volatility (e.g. ~0.2 for consumer staples, ~0.5+
 * for Tesla), `adv` an average daily volume in shares of the same order as the real one. They exist
 * so that generated ticks look plausible, nothing more.
 *
 * The news processor has its own ticker/name table (written independently); keep names conventional
 * so the two agree.
 *
 * @module generators/news/companies
 */

/** One company of {@link COMPANIES}. */
export interface Company {
  /** Ticker symbol without `$`, upper case, 1–5 letters. */
  readonly ticker: string;
  /** Conventional short name as used in headlines, e.g. `Apple`. */
  readonly name: string;
  /** Primary listing. */
  readonly exchange: 'NASDAQ' | 'NYSE';
  /** Broad sector (GICS-like wording). */
  readonly sector: string;
  /** Illustrative reference share price in USD (starting price of the tick model). */
  readonly price: number;
  /** Illustrative annualised volatility σ of log returns (0.25 = 25 %/year). */
  readonly volatility: number;
  /** Illustrative average daily volume, shares per regular session. */
  readonly adv: number;
  /** Relative news frequency (mega caps get more headlines); arbitrary units ≥ 1. */
  readonly newsWeight: number;
}

const M = 1_000_000;

/**
 * The company table, roughly ordered by market capitalisation (so `--symbol-count N` picks the N
 * largest). 74 companies.
 */
export const COMPANIES: readonly Company[] = Object.freeze([
  { ticker: 'AAPL', name: 'Apple', exchange: 'NASDAQ', sector: 'Technology', price: 225, volatility: 0.26, adv: 55 * M, newsWeight: 10 },
  { ticker: 'MSFT', name: 'Microsoft', exchange: 'NASDAQ', sector: 'Technology', price: 420, volatility: 0.24, adv: 21 * M, newsWeight: 10 },
  { ticker: 'NVDA', name: 'Nvidia', exchange: 'NASDAQ', sector: 'Technology', price: 130, volatility: 0.5, adv: 250 * M, newsWeight: 10 },
  { ticker: 'GOOGL', name: 'Alphabet', exchange: 'NASDAQ', sector: 'Communication Services', price: 170, volatility: 0.3, adv: 28 * M, newsWeight: 9 },
  { ticker: 'AMZN', name: 'Amazon', exchange: 'NASDAQ', sector: 'Consumer Discretionary', price: 190, volatility: 0.32, adv: 40 * M, newsWeight: 9 },
  { ticker: 'META', name: 'Meta Platforms', exchange: 'NASDAQ', sector: 'Communication Services', price: 560, volatility: 0.38, adv: 14 * M, newsWeight: 8 },
  { ticker: 'TSLA', name: 'Tesla', exchange: 'NASDAQ', sector: 'Consumer Discretionary', price: 250, volatility: 0.6, adv: 90 * M, newsWeight: 9 },
  { ticker: 'AVGO', name: 'Broadcom', exchange: 'NASDAQ', sector: 'Technology', price: 170, volatility: 0.45, adv: 25 * M, newsWeight: 5 },
  { ticker: 'LLY', name: 'Eli Lilly', exchange: 'NYSE', sector: 'Health Care', price: 850, volatility: 0.32, adv: 3 * M, newsWeight: 5 },
  { ticker: 'JPM', name: 'JPMorgan Chase', exchange: 'NYSE', sector: 'Financials', price: 210, volatility: 0.22, adv: 9 * M, newsWeight: 7 },
  { ticker: 'V', name: 'Visa', exchange: 'NYSE', sector: 'Financials', price: 280, volatility: 0.2, adv: 6 * M, newsWeight: 4 },
  { ticker: 'MA', name: 'Mastercard', exchange: 'NYSE', sector: 'Financials', price: 480, volatility: 0.21, adv: 3 * M, newsWeight: 4 },
  { ticker: 'UNH', name: 'UnitedHealth', exchange: 'NYSE', sector: 'Health Care', price: 550, volatility: 0.27, adv: 4 * M, newsWeight: 5 },
  { ticker: 'XOM', name: 'Exxon Mobil', exchange: 'NYSE', sector: 'Energy', price: 115, volatility: 0.24, adv: 16 * M, newsWeight: 6 },
  { ticker: 'WMT', name: 'Walmart', exchange: 'NYSE', sector: 'Consumer Staples', price: 80, volatility: 0.18, adv: 15 * M, newsWeight: 6 },
  { ticker: 'JNJ', name: 'Johnson & Johnson', exchange: 'NYSE', sector: 'Health Care', price: 160, volatility: 0.17, adv: 7 * M, newsWeight: 5 },
  { ticker: 'PG', name: 'Procter & Gamble', exchange: 'NYSE', sector: 'Consumer Staples', price: 170, volatility: 0.16, adv: 6 * M, newsWeight: 4 },
  { ticker: 'HD', name: 'Home Depot', exchange: 'NYSE', sector: 'Consumer Discretionary', price: 390, volatility: 0.22, adv: 3.5 * M, newsWeight: 4 },
  { ticker: 'COST', name: 'Costco', exchange: 'NASDAQ', sector: 'Consumer Staples', price: 900, volatility: 0.2, adv: 2 * M, newsWeight: 4 },
  { ticker: 'ORCL', name: 'Oracle', exchange: 'NYSE', sector: 'Technology', price: 170, volatility: 0.33, adv: 9 * M, newsWeight: 5 },
  { ticker: 'ABBV', name: 'AbbVie', exchange: 'NYSE', sector: 'Health Care', price: 190, volatility: 0.22, adv: 6 * M, newsWeight: 3 },
  { ticker: 'BAC', name: 'Bank of America', exchange: 'NYSE', sector: 'Financials', price: 40, volatility: 0.26, adv: 38 * M, newsWeight: 5 },
  { ticker: 'KO', name: 'Coca-Cola', exchange: 'NYSE', sector: 'Consumer Staples', price: 70, volatility: 0.15, adv: 14 * M, newsWeight: 4 },
  { ticker: 'MRK', name: 'Merck', exchange: 'NYSE', sector: 'Health Care', price: 110, volatility: 0.22, adv: 9 * M, newsWeight: 4 },
  { ticker: 'CVX', name: 'Chevron', exchange: 'NYSE', sector: 'Energy', price: 150, volatility: 0.24, adv: 8 * M, newsWeight: 4 },
  { ticker: 'NFLX', name: 'Netflix', exchange: 'NASDAQ', sector: 'Communication Services', price: 700, volatility: 0.38, adv: 3.5 * M, newsWeight: 6 },
  { ticker: 'AMD', name: 'AMD', exchange: 'NASDAQ', sector: 'Technology', price: 150, volatility: 0.5, adv: 45 * M, newsWeight: 6 },
  { ticker: 'PEP', name: 'PepsiCo', exchange: 'NASDAQ', sector: 'Consumer Staples', price: 165, volatility: 0.16, adv: 5.5 * M, newsWeight: 3 },
  { ticker: 'CRM', name: 'Salesforce', exchange: 'NYSE', sector: 'Technology', price: 280, volatility: 0.33, adv: 6 * M, newsWeight: 4 },
  { ticker: 'ADBE', name: 'Adobe', exchange: 'NASDAQ', sector: 'Technology', price: 500, volatility: 0.33, adv: 3.5 * M, newsWeight: 4 },
  { ticker: 'TMO', name: 'Thermo Fisher', exchange: 'NYSE', sector: 'Health Care', price: 580, volatility: 0.24, adv: 1.6 * M, newsWeight: 2 },
  { ticker: 'CSCO', name: 'Cisco', exchange: 'NASDAQ', sector: 'Technology', price: 52, volatility: 0.22, adv: 18 * M, newsWeight: 4 },
  { ticker: 'WFC', name: 'Wells Fargo', exchange: 'NYSE', sector: 'Financials', price: 60, volatility: 0.28, adv: 17 * M, newsWeight: 4 },
  { ticker: 'MCD', name: "McDonald's", exchange: 'NYSE', sector: 'Consumer Discretionary', price: 290, volatility: 0.17, adv: 3.5 * M, newsWeight: 4 },
  { ticker: 'ABT', name: 'Abbott Laboratories', exchange: 'NYSE', sector: 'Health Care', price: 115, volatility: 0.2, adv: 5.5 * M, newsWeight: 2 },
  { ticker: 'ACN', name: 'Accenture', exchange: 'NYSE', sector: 'Technology', price: 350, volatility: 0.24, adv: 2.5 * M, newsWeight: 2 },
  { ticker: 'DIS', name: 'Disney', exchange: 'NYSE', sector: 'Communication Services', price: 95, volatility: 0.28, adv: 9 * M, newsWeight: 6 },
  { ticker: 'INTC', name: 'Intel', exchange: 'NASDAQ', sector: 'Technology', price: 22, volatility: 0.45, adv: 60 * M, newsWeight: 6 },
  { ticker: 'QCOM', name: 'Qualcomm', exchange: 'NASDAQ', sector: 'Technology', price: 165, volatility: 0.38, adv: 8 * M, newsWeight: 4 },
  { ticker: 'IBM', name: 'IBM', exchange: 'NYSE', sector: 'Technology', price: 210, volatility: 0.22, adv: 4 * M, newsWeight: 4 },
  { ticker: 'TXN', name: 'Texas Instruments', exchange: 'NASDAQ', sector: 'Technology', price: 200, volatility: 0.27, adv: 5 * M, newsWeight: 2 },
  { ticker: 'VZ', name: 'Verizon', exchange: 'NYSE', sector: 'Communication Services', price: 42, volatility: 0.19, adv: 18 * M, newsWeight: 3 },
  { ticker: 'T', name: 'AT&T', exchange: 'NYSE', sector: 'Communication Services', price: 22, volatility: 0.21, adv: 35 * M, newsWeight: 3 },
  { ticker: 'PFE', name: 'Pfizer', exchange: 'NYSE', sector: 'Health Care', price: 29, volatility: 0.24, adv: 35 * M, newsWeight: 5 },
  { ticker: 'AMGN', name: 'Amgen', exchange: 'NASDAQ', sector: 'Health Care', price: 320, volatility: 0.23, adv: 2.6 * M, newsWeight: 2 },
  { ticker: 'CMCSA', name: 'Comcast', exchange: 'NASDAQ', sector: 'Communication Services', price: 40, volatility: 0.24, adv: 20 * M, newsWeight: 3 },
  { ticker: 'NKE', name: 'Nike', exchange: 'NYSE', sector: 'Consumer Discretionary', price: 80, volatility: 0.3, adv: 11 * M, newsWeight: 4 },
  { ticker: 'UBER', name: 'Uber', exchange: 'NYSE', sector: 'Industrials', price: 72, volatility: 0.42, adv: 18 * M, newsWeight: 4 },
  { ticker: 'GS', name: 'Goldman Sachs', exchange: 'NYSE', sector: 'Financials', price: 520, volatility: 0.26, adv: 2.3 * M, newsWeight: 4 },
  { ticker: 'MS', name: 'Morgan Stanley', exchange: 'NYSE', sector: 'Financials', price: 110, volatility: 0.27, adv: 7 * M, newsWeight: 3 },
  { ticker: 'AXP', name: 'American Express', exchange: 'NYSE', sector: 'Financials', price: 270, volatility: 0.26, adv: 3 * M, newsWeight: 3 },
  { ticker: 'C', name: 'Citigroup', exchange: 'NYSE', sector: 'Financials', price: 65, volatility: 0.3, adv: 15 * M, newsWeight: 4 },
  { ticker: 'BLK', name: 'BlackRock', exchange: 'NYSE', sector: 'Financials', price: 950, volatility: 0.24, adv: 0.6 * M, newsWeight: 3 },
  { ticker: 'CAT', name: 'Caterpillar', exchange: 'NYSE', sector: 'Industrials', price: 370, volatility: 0.28, adv: 2.5 * M, newsWeight: 3 },
  { ticker: 'BA', name: 'Boeing', exchange: 'NYSE', sector: 'Industrials', price: 160, volatility: 0.36, adv: 8 * M, newsWeight: 6 },
  { ticker: 'GE', name: 'General Electric', exchange: 'NYSE', sector: 'Industrials', price: 180, volatility: 0.3, adv: 5 * M, newsWeight: 3 },
  { ticker: 'HON', name: 'Honeywell', exchange: 'NASDAQ', sector: 'Industrials', price: 210, volatility: 0.2, adv: 3 * M, newsWeight: 2 },
  { ticker: 'LMT', name: 'Lockheed Martin', exchange: 'NYSE', sector: 'Industrials', price: 560, volatility: 0.2, adv: 1.2 * M, newsWeight: 2 },
  { ticker: 'UPS', name: 'UPS', exchange: 'NYSE', sector: 'Industrials', price: 130, volatility: 0.27, adv: 4 * M, newsWeight: 3 },
  { ticker: 'FDX', name: 'FedEx', exchange: 'NYSE', sector: 'Industrials', price: 280, volatility: 0.3, adv: 1.8 * M, newsWeight: 3 },
  { ticker: 'DE', name: 'Deere', exchange: 'NYSE', sector: 'Industrials', price: 400, volatility: 0.26, adv: 1.5 * M, newsWeight: 2 },
  { ticker: 'MMM', name: '3M', exchange: 'NYSE', sector: 'Industrials', price: 130, volatility: 0.27, adv: 3.5 * M, newsWeight: 3 },
  { ticker: 'SBUX', name: 'Starbucks', exchange: 'NASDAQ', sector: 'Consumer Discretionary', price: 95, volatility: 0.28, adv: 9 * M, newsWeight: 4 },
  { ticker: 'TGT', name: 'Target', exchange: 'NYSE', sector: 'Consumer Staples', price: 150, volatility: 0.32, adv: 4 * M, newsWeight: 3 },
  { ticker: 'LOW', name: "Lowe's", exchange: 'NYSE', sector: 'Consumer Discretionary', price: 260, volatility: 0.24, adv: 2.5 * M, newsWeight: 2 },
  { ticker: 'F', name: 'Ford', exchange: 'NYSE', sector: 'Consumer Discretionary', price: 11, volatility: 0.35, adv: 50 * M, newsWeight: 4 },
  { ticker: 'GM', name: 'General Motors', exchange: 'NYSE', sector: 'Consumer Discretionary', price: 48, volatility: 0.32, adv: 12 * M, newsWeight: 4 },
  { ticker: 'PYPL', name: 'PayPal', exchange: 'NASDAQ', sector: 'Financials', price: 75, volatility: 0.38, adv: 14 * M, newsWeight: 3 },
  { ticker: 'ABNB', name: 'Airbnb', exchange: 'NASDAQ', sector: 'Consumer Discretionary', price: 130, volatility: 0.4, adv: 5 * M, newsWeight: 3 },
  { ticker: 'GILD', name: 'Gilead Sciences', exchange: 'NASDAQ', sector: 'Health Care', price: 85, volatility: 0.24, adv: 7 * M, newsWeight: 2 },
  { ticker: 'BMY', name: 'Bristol-Myers Squibb', exchange: 'NYSE', sector: 'Health Care', price: 52, volatility: 0.24, adv: 13 * M, newsWeight: 3 },
  { ticker: 'CVS', name: 'CVS Health', exchange: 'NYSE', sector: 'Health Care', price: 60, volatility: 0.32, adv: 10 * M, newsWeight: 3 },
  { ticker: 'COP', name: 'ConocoPhillips', exchange: 'NYSE', sector: 'Energy', price: 110, volatility: 0.28, adv: 6 * M, newsWeight: 2 },
  { ticker: 'NEE', name: 'NextEra Energy', exchange: 'NYSE', sector: 'Utilities', price: 80, volatility: 0.25, adv: 10 * M, newsWeight: 2 },
] as const satisfies readonly Company[]);

const BY_TICKER: ReadonlyMap<string, Company> = new Map(COMPANIES.map((c) => [c.ticker, c]));

/** The company with this ticker (case-sensitive, upper case), or undefined. */
export function companyByTicker(ticker: string): Company | undefined {
  return BY_TICKER.get(ticker);
}
