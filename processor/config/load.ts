/**
 * Reads the YAML config file (`--config`): YAML syntax, then the schema (schema.ts), then each input's
 * `format` against its dataset, so that every mistake is reported before anything starts, as
 * `FILE:LINE:COL: key.path: what is wrong`, line and column 1-based, pointing at the key (an unknown key)
 * or at the value (a wrong value).
 *
 * Besides plain YAML: a dotted key is a nested one (`service.name: shop` is `service: {name: shop}`,
 * as in Filebeat), except inside `fields:`; and `${NAME}` / `${NAME:-default}` in a string value is
 * replaced by the environment variable `NAME` (upper case), except in `format:` values (nginx writes
 * its own variables as `${name}`), so secrets can stay out of the file.
 */
import { readFileSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { getDataset } from '../datasets/registry.js';
import { configSchema, didYouMean, withInputIds, type Config } from './schema.js';

/** One thing wrong with a config file; `line`/`col` are 1-based, absent when the file has no such place. */
export interface ConfigProblem {
  file: string;
  line?: number;
  col?: number;
  /** Key path such as `inputs[0].format` (empty for the file as a whole). */
  path: string;
  message: string;
}

/** `FILE:LINE:COL: path: message`. */
export function formatProblem(p: ConfigProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}:${p.col}` : p.file;
  return `${where}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/**
 * A config file (or a command-line flag) that cannot be used. `message` is one line per problem, in
 * file order; the CLI prints it and exits with code 2.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

/** `['inputs', 0, 'format']` → `inputs[0].format`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : `${s ? '.' : ''}${String(seg)}`;
  return s;
}

interface Place {
  /** Offset of the key (mapping entries). */
  key?: number;
  /** Offset of the value. */
  value: number;
}

/**
 * Parses config text. `file` is the name used in messages.
 * @throws ConfigError listing every problem found, with its position.
 */
export function parseConfig(text: string, file: string): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): Pick<ConfigProblem, 'line' | 'col'> => {
    if (offset === undefined) return {};
    const { line, col } = lines.linePos(offset);
    return { line, col };
  };
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({ file, ...at(e.pos[0]), path: '', message: `YAML: ${e.message.split('\n')[0]}` })),
    );
  }

  const places = new Map<string, Place>();
  const problems: (ConfigProblem & { offset?: number })[] = [];
  const problem = (path: PropertyKey[], offset: number | undefined, message: string): void => {
    problems.push({ file, ...at(offset), offset, path: formatPath(path), message });
  };
  const value = toPlain(doc, doc.contents, [], places, problem);
  const data = value === null || value === undefined ? {} : value;
  if (problems.length === 0 && (typeof data !== 'object' || Array.isArray(data))) {
    problem([], doc.contents?.range?.[0], 'expected a mapping of sections (inputs, elasticsearch, kafka, processor)');
  }
  if (problems.length > 0) throw new ConfigError(sorted(problems));

  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      for (const p of issueProblems(issue, places)) problem(p.path, p.offset, p.message);
    }
    throw new ConfigError(sorted(problems));
  }
  const config = withInputIds(parsed.data);
  // A format the dataset refuses would dead-letter every line: stop here, at the format's place.
  config.inputs.forEach((input, i) => {
    if (input.format === undefined) return;
    try {
      getDataset(input.dataset).checkFormat?.(input.format);
    } catch (err) {
      const path = ['inputs', i, 'format'];
      problem(path, places.get(key(path))?.value, `${input.dataset} format: ${(err as Error).message}`);
    }
  });
  if (problems.length > 0) throw new ConfigError(sorted(problems));
  return config;
}

/**
 * Reads and parses the config file at `file`.
 * @throws ConfigError when it cannot be read or is not a valid config.
 */
export function loadConfigFile(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file, path: '', message: `cannot read the config file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
  return parseConfig(text, file);
}

function sorted<T extends { offset?: number }>(problems: T[]): T[] {
  return problems
    .map((p, i) => [p, i] as const)
    .sort(([a, i], [b, j]) => (a.offset ?? Number.POSITIVE_INFINITY) - (b.offset ?? Number.POSITIVE_INFINITY) || i - j)
    .map(([p]) => p);
}

const key = (path: readonly PropertyKey[]): string => JSON.stringify(path.map((s) => (typeof s === 'number' ? s : String(s))));

const ENV_REF = /\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * The plain value of a YAML node, recording where each key and value sits. Dotted keys become
 * nested objects (not below `fields`); `${NAME}` references are replaced (not in `format`).
 */
function toPlain(
  doc: Document,
  node: YamlNode | null | undefined,
  path: PropertyKey[],
  places: Map<string, Place>,
  problem: (path: PropertyKey[], offset: number | undefined, message: string) => void,
): unknown {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return toPlain(doc, node.resolve(doc) as YamlNode | undefined, path, places, problem);
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v !== 'string' || path[path.length - 1] === 'format') return v;
    return v.replace(ENV_REF, (_, name: string, fallback: string | undefined) => {
      const env = process.env[name];
      if (env !== undefined && env !== '') return env;
      if (fallback !== undefined) return fallback;
      problem(path, node.range?.[0], `environment variable ${name} is not set (write \${${name}:-default} for a default)`);
      return '';
    });
  }
  if (isSeq(node)) {
    return node.items.map((item, i) => {
      const itemPath = [...path, i];
      places.set(key(itemPath), { value: (item as YamlNode | null)?.range?.[0] ?? node.range?.[0] ?? 0 });
      return toPlain(doc, item as YamlNode | null, itemPath, places, problem);
    });
  }
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    const dotted = path[path.length - 1] !== 'fields';
    for (const pair of node.items) {
      const k = pair.key as YamlNode | null;
      const keyOffset = k?.range?.[0] ?? node.range?.[0];
      if (!isScalar(k) || (typeof k.value !== 'string' && typeof k.value !== 'number')) {
        problem(path, keyOffset, 'keys must be plain words');
        continue;
      }
      const name = String(k.value);
      const segments = dotted ? name.split('.') : [name];
      if (segments.some((s) => s === '')) {
        problem([...path, name], keyOffset, 'empty part in a dotted key');
        continue;
      }
      const v = pair.value as YamlNode | null;
      const valueOffset = v?.range?.[0] ?? k.range?.[1] ?? keyOffset ?? 0;
      let target = out;
      let ok = true;
      for (let s = 0; s < segments.length - 1; s++) {
        const seg = segments[s]!;
        const segPath = [...path, ...segments.slice(0, s + 1)];
        if (target[seg] === undefined) {
          target[seg] = {};
          places.set(key(segPath), { key: keyOffset, value: keyOffset ?? 0 });
        } else if (typeof target[seg] !== 'object' || target[seg] === null || Array.isArray(target[seg])) {
          problem(segPath, keyOffset, `"${name}" conflicts with "${String(seg)}" given above`);
          ok = false;
          break;
        }
        target = target[seg] as Record<string, unknown>;
      }
      if (!ok) continue;
      const last = segments[segments.length - 1]!;
      const fullPath = [...path, ...segments];
      if (last in target) {
        problem(fullPath, keyOffset, `given twice (as "${name}" and as a nested key)`);
        continue;
      }
      places.set(key(fullPath), { key: keyOffset, value: valueOffset });
      target[last] = toPlain(doc, v, fullPath, places, problem);
    }
    return out;
  }
  return null;
}

/** The keys a strict object of the schema knows at `path` (for "did you mean"). */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let s: unknown = configSchema;
  const def = (x: unknown): Record<string, unknown> => (x as { _zod: { def: Record<string, unknown> } })._zod.def;
  const unwrap = (x: unknown): unknown => {
    for (;;) {
      const d = def(x);
      if (d.innerType) x = d.innerType;
      else if (d.type === 'pipe') x = d.in;
      else return x;
    }
  };
  for (const seg of path) {
    const d = def((s = unwrap(s)));
    if (d.type === 'object' && typeof seg === 'string') s = (d.shape as Record<string, unknown>)[seg];
    else if (d.type === 'array') s = d.element;
    else return [];
    if (!s) return [];
  }
  const d = def(unwrap(s));
  return d.type === 'object' ? Object.keys(d.shape as object) : [];
}

/** Keys of other tools' configs (Filebeat, Vector) and what this file calls them. */
const KEY_HINTS: Record<string, string> = { hosts: 'url', host: 'url', endpoint: 'url', endpoints: 'url', include: 'paths', path: 'paths', ssl: 'ca', read_from: 'start_at', type: 'dataset' };

/** Problems (path, offset, message) of one zod issue, placed in the file. */
function issueProblems(issue: z.core.$ZodIssue, places: Map<string, Place>): { path: PropertyKey[]; offset: number | undefined; message: string }[] {
  const path = issue.path as PropertyKey[];
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(path);
    return issue.keys.map((k) => {
      const near = KEY_HINTS[k] && known.includes(KEY_HINTS[k]) ? KEY_HINTS[k] : didYouMean(k, known);
      const full = [...path, k];
      return {
        path: full,
        offset: places.get(key(full))?.key,
        message: `unknown key ${near ? `(did you mean "${near}"?)` : `(known: ${known.join(', ')})`}`,
      };
    });
  }
  const exact = places.get(key(path));
  if (!exact) {
    // A required key that is missing: point at the mapping that should hold it.
    let up = path.slice(0, -1);
    while (up.length > 0 && !places.has(key(up))) up = up.slice(0, -1);
    const message = issue.code === 'invalid_type' ? `required key "${String(path[path.length - 1])}" is missing` : cleanMessage(issue.message);
    return [{ path: issue.code === 'invalid_type' ? up : path, offset: places.get(key(up))?.value ?? 0, message }];
  }
  return [{ path, offset: exact.value, message: cleanMessage(issue.message) }];
}

function cleanMessage(m: string): string {
  return m.replace(/^Invalid input: /, '').replace(/^Invalid option: /, '').replace(/, received /, ', got ');
}
