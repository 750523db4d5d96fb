import { statSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';

/**
 * How an input's `paths` and `exclude` select files (Filebeat's `paths`/`exclude_files`, Vector's
 * `include`/`exclude`). chokidar 4 has no glob support of its own, so each path is reduced to a
 * directory (or file) to watch, its *base*, and a matcher that decides which files under it are read.
 *
 * - a glob (`*`, `?`, `[…]`, `{a,b}`, `**`): its static base directory is watched recursively and the
 *   files matching the whole pattern are read (picomatch semantics; `*` and `**` do not match names
 *   starting with `.` unless the pattern spells the dot);
 * - a directory: every file under it, at any depth, except hidden ones (a `.name` file or any file
 *   inside a `.name` directory: writers stage there);
 * - a file: that file (even if its name starts with `.`);
 * - a path that does not exist yet: that file, or every non-hidden file under it once it is a directory.
 */
export interface PathRule {
  /** The path or glob as the user wrote it. */
  readonly source: string;
  /** Absolute directory (or file) to watch for this rule. */
  readonly base: string;
  readonly kind: 'glob' | 'directory' | 'file' | 'missing';
  /** Whether `file` (absolute) is selected by this rule (exclusions not applied). */
  matches(file: string): boolean;
}

/** The compiled `paths` + `exclude` of one input, plus the processor's own files never to read. */
export class PathSelector {
  readonly rules: PathRule[];
  private readonly excludes: ((file: string) => boolean)[];
  /** Some rule names a hidden path explicitly: hidden directories under its base must not be pruned. */
  private readonly dotAllowed: boolean;

  /**
   * @param paths files, directories or globs; relative ones are resolved against the working directory.
   * @param exclude globs or paths never read: a pattern without `/` is matched against the file's name
   *   (`*.bak`), any other against the absolute path (`/var/log/nginx/old/**`); a plain path excludes
   *   that file or everything under that directory.
   * @param internalExclude paths (not globs) of the processor's own files and directories.
   * @throws Error when a path or pattern is empty.
   */
  constructor(paths: string[], exclude: string[] = [], internalExclude: string[] = []) {
    this.rules = paths.map(compileRule);
    this.excludes = [...exclude.map(compileExclude), ...internalExclude.map((p) => internalPath(path.resolve(p)))];
    this.dotAllowed = this.rules.some((r) => r.kind === 'glob' && /(^|[\\/])\./.test(r.source));
  }

  /** The distinct bases to watch (a base inside another one is left out). */
  bases(): string[] {
    const all = [...new Set(this.rules.map((r) => r.base))].sort();
    return all.filter((b) => !all.some((o) => o !== b && isUnder(b, o)));
  }

  /** Whether `file` (a regular file) is excluded by `exclude` or the internal paths. */
  isExcluded(file: string): boolean {
    const abs = path.resolve(file);
    return this.excludes.some((x) => x(abs));
  }

  /** Indexes of the rules selecting `file`; empty when none does or it is excluded. */
  matchingRules(file: string): number[] {
    const abs = path.resolve(file);
    if (this.isExcluded(abs)) return [];
    const out: number[] = [];
    this.rules.forEach((r, i) => {
      if (r.matches(abs)) out.push(i);
    });
    return out;
  }

  /** Whether `file` is read. */
  selects(file: string): boolean {
    return this.matchingRules(file).length > 0;
  }

  /**
   * Whether the watcher should skip `p` (for chokidar's `ignored`). Without `isDirectory` (chokidar does
   * not always pass stats) only what can be neither a selected file nor a directory holding one is
   * skipped: excluded paths, hidden names below a base, and paths outside every base.
   */
  shouldIgnore(p: string, isDirectory?: boolean): boolean {
    const abs = path.resolve(p);
    if (this.rules.some((r) => r.base === abs || isUnder(r.base, abs))) return false; // a base or one of its parents
    if (this.isExcluded(abs)) return true;
    const under = this.rules.filter((r) => isUnder(abs, r.base));
    if (under.length === 0) return true;
    if (isDirectory === false) return !this.rules.some((r) => r.matches(abs));
    if (!this.dotAllowed && under.every((r) => hiddenBelow(abs, r.base))) return !this.rules.some((r) => r.matches(abs));
    return false;
  }
}

function compileRule(source: string): PathRule {
  if (source.trim() === '') throw new Error('an input path is empty');
  const abs = path.resolve(source);
  const scan = picomatch.scan(abs);
  if (scan.isGlob) {
    const base = scan.base === '' ? path.parse(abs).root : path.resolve(scan.base);
    const isMatch = picomatch(abs, { dot: false });
    return { source, base, kind: 'glob', matches: (f) => isMatch(f) };
  }
  let kind: PathRule['kind'] = 'missing';
  try {
    const st = statSync(abs);
    kind = st.isDirectory() ? 'directory' : 'file';
  } catch {
    // not there yet: a file or a directory may appear later
  }
  if (kind === 'file') return { source, base: abs, kind, matches: (f) => f === abs };
  return { source, base: abs, kind, matches: (f) => f === abs || (isUnder(f, abs) && !hiddenBelow(f, abs)) };
}

function compileExclude(pattern: string): (file: string) => boolean {
  if (pattern.trim() === '') throw new Error('an exclude pattern is empty');
  const scan = picomatch.scan(pattern);
  if (!scan.isGlob) return underPath(path.resolve(pattern));
  if (!pattern.includes('/')) {
    const isMatch = picomatch(pattern, { dot: true });
    return (f) => isMatch(path.basename(f));
  }
  const isMatch = picomatch(path.resolve(pattern), { dot: true });
  // A pattern naming a directory (`/var/log/old`) excludes what is under it too.
  return (f) => isMatch(f) || ancestors(f).some((a) => isMatch(a));
}

/**
 * One of the processor's own paths: that file or folder, and the temporary files it is written through
 * (`<file>.<pid>.tmp`, see `writeFileAtomic`), which exist for a moment next to it.
 */
function internalPath(x: string): (file: string) => boolean {
  const under = underPath(x);
  return (f) => under(f) || (f.startsWith(`${x}.`) && /^\.\d+\.tmp$/.test(f.slice(x.length)));
}

function underPath(x: string): (file: string) => boolean {
  return (f) => f === x || isUnder(f, x);
}

/** Whether `p` lies strictly inside directory `dir` (both absolute). */
export function isUnder(p: string, dir: string): boolean {
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  return p.startsWith(prefix);
}

/** Whether some segment of `p` below `base` starts with a dot. */
function hiddenBelow(p: string, base: string): boolean {
  return path
    .relative(base, p)
    .split(path.sep)
    .some((s) => s.startsWith('.') && s !== '..');
}

function ancestors(p: string): string[] {
  const out: string[] = [];
  for (let d = path.dirname(p); d !== path.dirname(d); d = path.dirname(d)) out.push(d);
  return out;
}
