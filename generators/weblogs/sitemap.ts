/**
 * The fixed site the synthetic web logs are about: an outdoor-gear shop with a
 * blog ("www.example.com" by default). Paths, page kinds, per-page assets and
 * static file sizes are constants — they do not depend on the seed — so "top
 * paths" and "largest files" are stable, meaningful aggregations across runs.
 *
 * Static file sizes are derived from a hash of the path (log-normal via
 * {@link fnv1a32}), so the same URL always has the same size, as on a real site.
 * Size ranges per content type are rough figures from the HTTP Archive Web
 * Almanac (2024, "Page Weight" chapter) — HTML pages 5–50 KB, images 1–500 KB
 * with a heavy tail, CSS tens of KB, JS bundles 50–300 KB.
 *
 * @module generators/weblogs/sitemap
 */
import { fnv1a32 } from '../common/random.js';

/** Kind of a static or downloadable file. */
export type AssetType = 'css' | 'js' | 'woff' | 'woff2' | 'png' | 'jpg' | 'svg' | 'ico' | 'mp4' | 'pdf' | 'txt' | 'xml';

/** A static file with a fixed size in bytes. */
export interface Asset {
  readonly path: string;
  readonly type: AssetType;
  /** Full response body size in bytes. */
  readonly bytes: number;
}

/** What a page is; drives navigation, assets and status behaviour. */
export type PageKind =
  | 'home'
  | 'category'
  | 'product'
  | 'sale'
  | 'blog-index'
  | 'blog-post'
  | 'blog-tag'
  | 'static'
  | 'search'
  | 'cart'
  | 'checkout'
  | 'login'
  | 'account';

/** An HTML page of the site. */
export interface Page {
  readonly path: string;
  readonly kind: PageKind;
  /** Typical HTML size in bytes (each response varies by a few percent). */
  readonly htmlBytes: number;
  /** Page-specific images and media requested after the HTML. */
  readonly assets: readonly Asset[];
  /** XHR/fetch calls the page makes (paths with query), JSON responses. */
  readonly api: readonly string[];
  /** Search phrase a visitor might type to land on this page (empty for pages nobody searches for). */
  readonly keywords: string;
  /** Relative popularity for direct visits and generic navigation. */
  readonly weight: number;
  /** Category slug for categories/products. */
  readonly category?: string;
  /** Numeric product id for products. */
  readonly productId?: number;
  /** Product video streamed with range requests (206). */
  readonly video?: Asset;
  /** Needs a login; anonymous visitors get 302 → /login. */
  readonly requiresLogin?: boolean;
  /** Directory-style path that also exists without the trailing slash (⇒ 301 when requested so). */
  readonly slashRedirect?: boolean;
}

/** Deterministic log-normal size for `key`: `median * exp(sigma * z)`, clamped to [min, max]. */
export function stableSize(key: string, median: number, sigma: number, min: number, max: number): number {
  const u1 = (fnv1a32(key) + 1) / 4294967297;
  const u2 = (fnv1a32(`${key}#2`) + 1) / 4294967297;
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return Math.round(Math.min(max, Math.max(min, median * Math.exp(sigma * z))));
}

function asset(path: string, type: AssetType, median: number, sigma: number, min: number, max: number): Asset {
  return { path, type, bytes: stableSize(path, median, sigma, min, max) };
}
const html = (path: string): number => stableSize(path, 18_000, 0.45, 5_000, 50_000);
const image = (path: string): Asset => asset(path, 'jpg', 60_000, 0.9, 1_024, 500_000);
const thumb = (path: string): Asset => asset(path, 'jpg', 12_000, 0.45, 1_024, 60_000);
const png = (path: string): Asset => asset(path, 'png', 9_000, 1.0, 1_024, 300_000);

/** CSS/JS/fonts/logo every page references; browsers cache them after the first page. */
export const SHARED_ASSETS: readonly Asset[] = [
  asset('/static/css/main.3f9a2c71.css', 'css', 48_000, 0.01, 40_000, 60_000),
  asset('/static/js/vendor.51c0aa93.js', 'js', 182_000, 0.01, 150_000, 220_000),
  asset('/static/js/app.8d1e4b02.js', 'js', 64_000, 0.01, 50_000, 80_000),
  asset('/static/fonts/inter-var.woff2', 'woff2', 72_000, 0.01, 60_000, 90_000),
  asset('/static/fonts/icons.woff', 'woff', 21_000, 0.01, 15_000, 30_000),
  asset('/static/img/logo.png', 'png', 7_400, 0.01, 5_000, 10_000),
  asset('/static/img/sprite.png', 'png', 31_000, 0.01, 20_000, 40_000),
  asset('/favicon.ico', 'ico', 15_086, 0, 15_086, 15_086),
];

/** Home-screen icon iOS Safari requests on a first visit (exists, 200). */
export const APPLE_TOUCH_ICON: Asset = asset('/apple-touch-icon.png', 'png', 9_500, 0, 9_500, 9_500);
/** Legacy icon name iOS also tries; this site does not have it (404), as on many real sites. */
export const APPLE_TOUCH_ICON_PRECOMPOSED = '/apple-touch-icon-precomposed.png';

/** robots.txt (crawlers fetch it at the start of a visit; disallows cart, checkout, account, search). */
export const ROBOTS_TXT: Asset = asset('/robots.txt', 'txt', 412, 0, 412, 412);
/** XML sitemap listing the crawlable pages. */
export const SITEMAP_XML: Asset = asset('/sitemap.xml', 'xml', 24_310, 0, 24_310, 24_310);
/** RSS feed of the blog (fetched by crawlers and feed readers). */
export const FEED_XML: Asset = asset('/blog/feed.xml', 'xml', 38_500, 0.1, 20_000, 60_000);

/** Downloadable PDFs (PDF viewers fetch them with 64 KiB range requests ⇒ 206). */
export const DOWNLOADS: readonly Asset[] = [
  asset('/downloads/catalog-2025.pdf', 'pdf', 6_800_000, 0, 6_800_000, 6_800_000),
  asset('/downloads/size-guide.pdf', 'pdf', 1_150_000, 0, 1_150_000, 1_150_000),
  asset('/downloads/manuals/trailhead-2p-tent.pdf', 'pdf', 2_400_000, 0, 2_400_000, 2_400_000),
  asset('/downloads/manuals/titanium-stove-kit.pdf', 'pdf', 980_000, 0, 980_000, 980_000),
];

const CATEGORIES = ['tents', 'backpacks', 'sleeping-bags', 'jackets', 'footwear', 'climbing', 'cooking', 'accessories'] as const;

/** [id, slug, category, has video] — hand-written catalogue. */
const PRODUCTS: ReadonlyArray<readonly [number, string, (typeof CATEGORIES)[number], boolean]> = [
  [1001, 'trailhead-2p-ultralight-tent', 'tents', true],
  [1002, 'summit-4-season-dome-tent', 'tents', false],
  [1003, 'basecamp-6p-family-tent', 'tents', false],
  [1004, 'bivy-sack-pro', 'tents', false],
  [1011, 'ridgeline-45l-backpack', 'backpacks', true],
  [1012, 'everyday-22l-daypack', 'backpacks', false],
  [1013, 'expedition-70l-pack', 'backpacks', false],
  [1014, 'hydration-vest-12l', 'backpacks', false],
  [1021, 'down-quilt-20f', 'sleeping-bags', false],
  [1022, 'synthetic-mummy-bag-30f', 'sleeping-bags', false],
  [1023, 'insulated-sleeping-pad-r5', 'sleeping-bags', false],
  [1031, 'storm-shell-gore-tex-jacket', 'jackets', true],
  [1032, 'packable-down-hoodie', 'jackets', false],
  [1033, 'fleece-midlayer-100', 'jackets', false],
  [1034, 'softshell-trail-pants', 'jackets', false],
  [1041, 'trail-runner-gtx', 'footwear', true],
  [1042, 'approach-shoe-grip', 'footwear', false],
  [1043, 'waterproof-hiking-boot-mid', 'footwear', false],
  [1044, 'merino-hiking-socks-3-pack', 'footwear', false],
  [1051, 'alpine-harness-lite', 'climbing', false],
  [1052, 'dynamic-rope-9-5mm-60m', 'climbing', false],
  [1053, 'locking-carabiner-set', 'climbing', false],
  [1054, 'chalk-bag-classic', 'climbing', false],
  [1061, 'titanium-stove-kit', 'cooking', false],
  [1062, 'hard-anodized-cook-pot-1-2l', 'cooking', false],
  [1063, 'squeeze-water-filter', 'cooking', false],
  [1071, 'rechargeable-headlamp-400-lumen', 'accessories', false],
  [1072, 'carbon-trekking-poles', 'accessories', false],
  [1073, 'glacier-sunglasses', 'accessories', false],
  [1074, 'trail-first-aid-kit', 'accessories', false],
];

/** [date path, slug, tag, related product id] — hand-written blog. */
const POSTS: ReadonlyArray<readonly [string, string, string, number]> = [
  ['2025/10', 'headlamp-buying-guide', 'gear-guides', 1071],
  ['2025/10', 'first-multi-pitch-climb', 'climbing', 1051],
  ['2025/09', 'winter-camping-checklist', 'camping', 1002],
  ['2025/09', 'how-to-choose-hiking-boots', 'gear-guides', 1043],
  ['2025/08', 'how-to-fit-a-backpack', 'gear-guides', 1011],
  ['2025/08', 'one-pot-camp-cooking-recipes', 'camping', 1062],
  ['2025/07', 'water-purification-compared', 'gear-guides', 1063],
  ['2025/07', 'leave-no-trace-principles', 'hiking', 1074],
  ['2025/06', 'tent-care-and-repair', 'camping', 1001],
  ['2025/06', 'trail-running-for-beginners', 'trail-running', 1041],
  ['2025/05', 'ultralight-packing-list', 'hiking', 1021],
  ['2025/05', 'best-day-hikes-near-seattle', 'hiking', 1012],
  ['2025/04', 'layering-101', 'gear-guides', 1033],
  ['2025/03', 'how-to-choose-a-sleeping-bag', 'gear-guides', 1022],
  ['2024/12', 'gift-guide-for-hikers', 'gear-guides', 1072],
  ['2024/11', 'waterproof-breathable-fabrics-explained', 'gear-guides', 1031],
];
const TAGS = ['gear-guides', 'camping', 'hiking', 'climbing', 'trail-running'] as const;
const AUTHORS = ['maya-chen', 'lukas-berg', 'priya-nair'] as const;

const words = (slug: string): string => slug.replace(/-/g, ' ');
const productPath = (slug: string): string => `/products/${slug}`;

function buildPages(): Page[] {
  const pages: Page[] = [];
  const productThumb = (slug: string): Asset => thumb(`/images/products/${slug}/thumb.jpg`);

  pages.push({
    path: '/',
    kind: 'home',
    htmlBytes: html('/'),
    assets: [
      image('/images/home/hero-autumn-2025.jpg'),
      png('/images/home/banner-free-shipping.png'),
      ...['trailhead-2p-ultralight-tent', 'ridgeline-45l-backpack', 'trail-runner-gtx', 'storm-shell-gore-tex-jacket'].map(productThumb),
    ],
    api: ['/api/recommendations?placement=home'],
    keywords: 'example outdoor gear',
    weight: 30,
  });
  pages.push({
    path: '/products/',
    kind: 'category',
    htmlBytes: html('/products/'),
    assets: PRODUCTS.slice(0, 12).map(([, slug]) => productThumb(slug)),
    api: [],
    keywords: 'outdoor gear shop',
    weight: 6,
    slashRedirect: true,
  });
  pages.push({
    path: '/sale/',
    kind: 'sale',
    htmlBytes: html('/sale/'),
    assets: [image('/images/sale/end-of-season.jpg'), ...PRODUCTS.filter((_, i) => i % 4 === 1).map(([, slug]) => productThumb(slug))],
    api: [],
    keywords: 'outdoor gear sale',
    weight: 7,
    slashRedirect: true,
  });
  CATEGORIES.forEach((cat, i) => {
    pages.push({
      path: `/category/${cat}/`,
      kind: 'category',
      category: cat,
      htmlBytes: html(`/category/${cat}/`),
      assets: [image(`/images/categories/${cat}.jpg`), ...PRODUCTS.filter((p) => p[2] === cat).map(([, slug]) => productThumb(slug))],
      api: [],
      keywords: words(cat),
      weight: 8 / (1 + i * 0.35),
      slashRedirect: true,
    });
  });
  PRODUCTS.forEach(([id, slug, cat, video], rank) => {
    const path = productPath(slug);
    pages.push({
      path,
      kind: 'product',
      category: cat,
      productId: id,
      htmlBytes: html(path),
      assets: [
        image(`/images/products/${slug}/1.jpg`),
        image(`/images/products/${slug}/2.jpg`),
        image(`/images/products/${slug}/3.jpg`),
        png('/static/img/badges/free-shipping.png'),
      ],
      api: [`/api/products/${id}/reviews?page=1`, `/api/stock?sku=${id}-${(fnv1a32(slug) % 5) + 1}`, `/api/recommendations?product=${id}`],
      keywords: words(slug),
      weight: 12 / Math.pow(rank + 1, 0.8), // Zipf-like product popularity
      ...(video ? { video: asset(`/media/products/${slug}.mp4`, 'mp4', 9_000_000, 0.4, 3_000_000, 24_000_000) } : {}),
    });
  });
  pages.push({
    path: '/blog/',
    kind: 'blog-index',
    htmlBytes: html('/blog/'),
    assets: POSTS.slice(0, 6).map(([, slug]) => thumb(`/images/blog/${slug}/hero-small.jpg`)),
    api: [],
    keywords: 'outdoor blog',
    weight: 4,
    slashRedirect: true,
  });
  POSTS.forEach(([date, slug, tag], rank) => {
    const path = `/blog/${date}/${slug}/`;
    const figures = (fnv1a32(slug) % 3) + 1;
    pages.push({
      path,
      kind: 'blog-post',
      category: tag,
      htmlBytes: stableSize(path, 32_000, 0.3, 12_000, 50_000),
      assets: [
        image(`/images/blog/${slug}/hero.jpg`),
        ...Array.from({ length: figures }, (_, i) => png(`/images/blog/${slug}/fig-${i + 1}.png`)),
        thumb(`/images/authors/${AUTHORS[fnv1a32(slug) % AUTHORS.length]}.jpg`),
      ],
      api: [`/api/comments?post=${slug}`],
      keywords: words(slug),
      weight: 6 / Math.pow(rank + 1, 0.7),
      slashRedirect: true,
    });
  });
  TAGS.forEach((tag) => {
    const path = `/blog/tag/${tag}/`;
    pages.push({ path, kind: 'blog-tag', category: tag, htmlBytes: html(path), assets: [], api: [], keywords: '', weight: 0.6, slashRedirect: true });
  });
  const statics: ReadonlyArray<readonly [string, number, string]> = [
    ['/about/', 2, 'example outdoor about'],
    ['/contact/', 1.5, 'example outdoor contact'],
    ['/faq/', 1.5, 'example outdoor faq'],
    ['/shipping-and-returns/', 2, 'example outdoor returns policy'],
    ['/stores/', 2, 'example outdoor store near me'],
    ['/careers/', 0.5, 'example outdoor jobs'],
    ['/privacy/', 0.4, ''],
    ['/gift-cards/', 0.8, 'outdoor gift card'],
  ];
  for (const [path, weight, keywords] of statics) {
    pages.push({ path, kind: 'static', htmlBytes: html(path), assets: path === '/stores/' ? [png('/images/stores/map.png')] : [], api: [], keywords, weight, slashRedirect: true });
  }
  pages.push({ path: '/cart/', kind: 'cart', htmlBytes: html('/cart/'), assets: [], api: ['/api/cart'], keywords: '', weight: 2 });
  pages.push({ path: '/checkout/', kind: 'checkout', htmlBytes: html('/checkout/'), assets: [png('/static/img/payment-methods.png')], api: ['/api/cart', '/api/shipping-options'], keywords: '', weight: 0.5, requiresLogin: true });
  pages.push({ path: '/login', kind: 'login', htmlBytes: stableSize('/login', 7_000, 0.1, 5_000, 10_000), assets: [], api: [], keywords: '', weight: 1.5 });
  pages.push({ path: '/account/', kind: 'account', htmlBytes: html('/account/'), assets: [], api: ['/api/account/summary'], keywords: '', weight: 0.8, requiresLogin: true });
  pages.push({ path: '/account/orders/', kind: 'account', htmlBytes: html('/account/orders/'), assets: [], api: ['/api/account/orders?page=1'], keywords: '', weight: 0.4, requiresLogin: true });
  return pages;
}

/** Every HTML page of the site (fixed order: home, listings, products, blog, static, shop flow). */
export const PAGES: readonly Page[] = buildPages();

/** Lookup by path. */
export const PAGE_BY_PATH: ReadonlyMap<string, Page> = new Map(PAGES.map((p) => [p.path, p]));

/** Retrieves a page that must exist. @throws {Error} for an unknown path (a bug in the site map). */
export function page(path: string): Page {
  const p = PAGE_BY_PATH.get(path);
  if (!p) throw new Error(`sitemap: unknown page ${path}`);
  return p;
}

/** Product pages by product id. */
export const PRODUCT_BY_ID: ReadonlyMap<number, Page> = new Map(
  PAGES.filter((p) => p.productId !== undefined).map((p) => [p.productId as number, p]),
);

/** Product page path → its thumbnail (used on listings and search results). */
export const PRODUCT_THUMBS: ReadonlyMap<string, Asset> = new Map(
  PRODUCTS.map(([, slug]) => [productPath(slug), thumb(`/images/products/${slug}/thumb.jpg`)]),
);

/** Blog post → the product it links to. */
export const POST_PRODUCT: ReadonlyMap<string, Page> = new Map(
  POSTS.map(([date, slug, , productId]) => [`/blog/${date}/${slug}/`, PRODUCT_BY_ID.get(productId) as Page]),
);

/**
 * The internal search results page (`/search?q=…`). Not part of {@link PAGES}:
 * its target always carries a query and robots.txt keeps crawlers away from it.
 */
export const SEARCH_PAGE: Page = {
  path: '/search',
  kind: 'search',
  htmlBytes: 22_000,
  assets: [],
  api: [],
  keywords: '',
  weight: 0,
};

/** Old URLs still linked from elsewhere: each is permanently redirected (301) to a live page. */
export const LEGACY_REDIRECTS: ReadonlyArray<readonly [string, string]> = [
  ['/index.html', '/'],
  ['/shop/', '/products/'],
  ...PRODUCTS.filter((_, i) => i % 3 === 0).map(([id, slug]) => [`/shop/product.php?id=${id}`, productPath(slug)] as const),
  ['/blog/2023/06/tent-care/', '/blog/2025/06/tent-care-and-repair/'],
  ['/news/', '/blog/'],
];

/** Dead URLs that external sites and crawlers still request (404). */
export const DEAD_LINKS: readonly string[] = [
  '/products/trailhead-2p-tent-2019',
  '/products/classic-external-frame-pack',
  '/blog/2021/04/spring-sale-announcement/',
  '/blog/2022/11/black-friday-deals/',
  '/images/products/old-catalog/banner.jpg',
  '/category/kayaks/',
  '/promo/summer-2023',
  '/downloads/catalog-2023.pdf',
];

/** Paths of vulnerability scanners with the status this site answers (nginx denies dotfiles ⇒ 403). */
export const SCANNER_PROBES: ReadonlyArray<readonly [method: string, path: string, status: number]> = [
  ['GET', '/wp-login.php', 404],
  ['GET', '/wp-admin/setup-config.php', 404],
  ['POST', '/xmlrpc.php', 404],
  ['GET', '/wordpress/wp-admin/', 404],
  ['GET', '/.env', 403],
  ['GET', '/.git/config', 403],
  ['GET', '/.git/HEAD', 403],
  ['GET', '/.aws/credentials', 403],
  ['GET', '/.DS_Store', 403],
  ['GET', '/server-status', 403],
  ['GET', '/phpmyadmin/', 404],
  ['GET', '/pma/index.php', 404],
  ['GET', '/admin.php', 404],
  ['GET', '/config.json', 404],
  ['GET', '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php', 404],
  ['POST', '/boaform/admin/formLogin', 404],
  ['GET', '/cgi-bin/luci/;stok=/locale', 404],
  ['GET', '/actuator/env', 404],
  ['GET', '/owa/auth/logon.aspx', 404],
  ['GET', '/remote/login', 404],
  ['GET', '/backup.zip', 404],
  ['GET', '/admin/', 401],
];

/** Basic-auth protected staff area (the only requests with a `%u` user). */
export const ADMIN_PAGES: readonly string[] = [
  '/admin/',
  '/admin/orders?status=open',
  '/admin/orders?status=shipped&page=2',
  '/admin/inventory',
  '/admin/reports/daily.csv',
  '/admin/customers?q=smith',
];

/** Internal search terms beyond product names (typos included, as in real search logs). */
export const SEARCH_TERMS: readonly string[] = [
  'tent', '2 person tent', 'ultralight tent', 'backpack', 'daypack', 'rain jacket', 'down jacket', 'gore tex',
  'hiking boots', 'trail running shoes', 'socks', 'sleeping bag', 'sleeping pad', 'stove', 'water filter',
  'headlamp', 'trekking poles', 'harness', 'carabiner', 'rope', 'sunglasses', 'first aid', 'gift card',
  'sale', 'womens jacket', 'mens boots', 'kids', 'waterproof', 'hydration', 'quilt', 'bivy', 'tnet', 'backapck',
];
