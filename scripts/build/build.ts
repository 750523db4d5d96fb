/**
 * The compiled run path (`npm run build`, also run by the `prestart`/`preprocess` hooks and by the
 * benchmarks): esbuild bundles the processor CLI, its transform worker and the main job into `dist/`,
 * so they run under plain `node` instead of `node --import tsx`. Under tsx, Node 20 runs the module
 * loader hooks on a thread of their own with its own V8 heap: ~39 MiB of resident memory the
 * processor does not need at run time (README, "Performance").
 *
 * Output (ESM, platform node, target node20, npm packages left external and loaded from
 * `node_modules`, shared code and lazily imported modules in `dist/chunk-*.js`, source maps beside each file; run with `--enable-source-maps` to see TypeScript
 * positions in stack traces):
 * - `dist/process.js`: `processor/cli.ts` (`npm run process`)
 * - `dist/transform-worker.js`: `processor/pipeline/transform-worker.ts` (the piscina worker; the
 *   bundles find it beside themselves, see `transform-pool.ts`)
 * - `dist/start.js`: `scripts/start.ts` (`npm start`)
 *
 * Modules that locate files next to their source (`import.meta.url`: the sentiment model, the
 * dashboard's page, packages through `createRequire`) keep doing so: in every bundled module
 * `import.meta.url` is rewritten to the URL of its source file, computed relative to the bundle, so
 * the repository can be moved (and `dist/` rebuilt or not) without a path baked in.
 * Files are written only when their content changed, each through a rename, so a process starting
 * at the same moment never reads half a file. jest/ts-jest and the other scripts keep running the
 * TypeScript sources; `dist/` is not committed.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The bundles' directory: `<repo>/dist`. */
export const distDir = path.join(repoRoot, 'dist');
/** The compiled processor CLI (`node dist/process.js --help`). */
export const compiledProcessor = path.join(distDir, 'process.js');
/** The compiled main job (`node dist/start.js --help`). */
export const compiledStart = path.join(distDir, 'start.js');

const entryPoints = {
  process: 'processor/cli.ts',
  'transform-worker': 'processor/pipeline/transform-worker.ts',
  start: 'scripts/start.ts',
};

/** Rewrites `import.meta.url` in every bundled TypeScript module to its source file's URL (see above). */
const sourceUrls: Plugin = {
  name: 'source-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const fromDist = path.relative(distDir, args.path).split(path.sep).join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromDist)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

/**
 * Bundles the entry points into `dist/`. Returns the files written (those whose content changed).
 * @throws when esbuild reports an error (its messages are printed).
 */
export async function buildDist(): Promise<string[]> {
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints,
    outdir: distDir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // Code splitting keeps a dynamic import() a real one: modules loaded only on some paths (kafkajs
    // when Kafka is consumed, the datasets' heavier enrichment) stay out of memory otherwise.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    sourcemap: true,
    write: false,
    logLevel: 'warning',
    // The compiled bundles say so (processor/pipeline/transform-pool.ts picks the compiled worker).
    define: { RTAS_COMPILED: 'true' },
    plugins: [sourceUrls],
  });
  await mkdir(distDir, { recursive: true });
  const written: string[] = [];
  for (const f of result.outputFiles) {
    const old = await readFile(f.path).catch(() => undefined);
    if (old && Buffer.compare(old, f.contents) === 0) continue;
    const tmp = `${f.path}.${process.pid}.tmp`;
    await writeFile(tmp, f.contents);
    await rename(tmp, f.path);
    written.push(path.relative(repoRoot, f.path));
  }
  // Chunks of earlier builds (their names carry a content hash) are removed.
  const current = new Set(result.outputFiles.map((f) => path.basename(f.path)));
  for (const name of await readdir(distDir)) {
    if (/^chunk-.*\.js(\.map)?$/.test(name) && !current.has(name)) await rm(path.join(distDir, name), { force: true });
  }
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const written = await buildDist();
    if (process.argv.includes('--verbose')) process.stderr.write(`build: ${written.length ? written.join(', ') : 'dist/ up to date'}\n`);
  } catch (err) {
    process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
