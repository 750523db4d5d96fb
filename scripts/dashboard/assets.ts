/**
 * The page's static assets, held in memory: `web/index.html`, `web/styles.css`, the page script
 * (`web/app.ts` and its imports, bundled by esbuild when the server starts, ≈ 0.1 s), Apache ECharts
 * from `node_modules/echarts/dist/echarts.min.js` (no CDN) and the world map GeoJSON. Only these
 * fixed paths are served: no directory is exposed.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { worldGeoJson } from './world-map.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** One asset: its body and content type. */
export interface Asset {
  body: Buffer;
  type: string;
}

/**
 * Loads every asset, keyed by URL path (`/`, `/app.js`, `/styles.css`, `/vendor/echarts.min.js`,
 * `/geo/world.json`). @throws when a file is missing or the page script does not compile.
 */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const web = path.join(here, 'web');
  const bundle = await build({
    entryPoints: [path.join(web, 'app.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    minify: false,
    sourcemap: false,
    logLevel: 'silent',
  });
  const html = await readFile(path.join(web, 'index.html'));
  return new Map<string, Asset>([
    ['/', { body: html, type: 'text/html; charset=utf-8' }],
    ['/app.js', { body: Buffer.from(bundle.outputFiles[0]!.contents), type: 'text/javascript; charset=utf-8' }],
    ['/styles.css', { body: await readFile(path.join(web, 'styles.css')), type: 'text/css; charset=utf-8' }],
    ['/vendor/echarts.min.js', { body: await readFile(require.resolve('echarts/dist/echarts.min.js')), type: 'text/javascript; charset=utf-8' }],
    ['/geo/world.json', { body: Buffer.from(worldGeoJson()), type: 'application/json' }],
  ]);
}
