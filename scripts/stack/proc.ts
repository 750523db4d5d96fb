/**
 * Small process and filesystem helpers shared by the stack modules: running
 * commands without a shell, pid files, liveness checks, graceful termination,
 * polling and a cross-process lock.
 */
import { execFile, type ExecFileOptions } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { delimiter, join } from 'node:path';

/** An error whose message is meant to be shown to a person as is (no stack trace needed). */
export class StackError extends Error {
  override name = 'StackError';
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Result of {@link run}: the captured output of a finished command. */
export interface RunResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs `file` with `args` (no shell) and resolves with its output once it exits 0.
 *
 * @param opts Node `execFile` options (cwd, env, uid/gid, timeout in ms…); output is
 *   buffered up to 64 MiB.
 * @throws Error whose message holds the command, the exit code or signal and the
 *   last lines of stderr/stdout when the command fails, cannot be spawned or times out.
 */
export function run(file: string, args: readonly string[], opts: ExecFileOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024, ...opts, encoding: 'utf8' }, (err, stdout, stderr) => {
      const out = String(stdout);
      const errOut = String(stderr);
      if (err) {
        const e = err as NodeJS.ErrnoException & { code?: number | string; signal?: string };
        const how = typeof e.code === 'number' ? `exit code ${e.code}` : e.signal ? `signal ${e.signal}` : String(e.code ?? e.message);
        const detail = tail(`${errOut}\n${out}`.trim(), 25);
        reject(new Error(`${file} ${args.join(' ')} failed (${how})${detail ? `:\n${detail}` : ''}`));
        return;
      }
      resolve({ stdout: out, stderr: errOut });
    });
  });
}

/** Returns the last `lines` lines of `text`. */
export function tail(text: string, lines: number): string {
  const all = text.split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n');
}

/** Returns the last `lines` lines of the file at `path`, or '' when it cannot be read. */
export async function tailFile(path: string, lines = 30): Promise<string> {
  try {
    return tail((await readFile(path, 'utf8')).trimEnd(), lines);
  } catch {
    return '';
  }
}

/** True when `path` exists (any type). */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds an executable named `name` on `PATH` (like `which`).
 *
 * @returns the absolute path, or undefined when not found.
 */
export async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, fsConstants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** True when a process with this pid exists (signal 0 succeeds or fails with EPERM). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Reads the command line of a running process from /proc (Linux).
 *
 * @returns its arguments joined by spaces, or undefined when unavailable.
 */
export async function processCommandLine(pid: number): Promise<string | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/**
 * Reads a pid file and returns the pid when that process is alive and, if `marker` is
 * given and /proc is readable, its command line contains `marker` (guards against a
 * recycled pid).
 *
 * @returns the live pid, or undefined when the file is missing, malformed or stale.
 */
export async function livePidFromFile(pidFile: string, marker?: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(pidFile, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  if (marker) {
    const cmdline = await processCommandLine(pid);
    if (cmdline !== undefined && !cmdline.includes(marker)) return undefined;
  }
  return pid;
}

/**
 * Stops a process: SIGTERM, then waits up to `graceMs` (milliseconds) for it to exit,
 * then SIGKILL and waits up to 10 s more.
 *
 * @returns 'term' when it exited after SIGTERM, 'kill' when SIGKILL was needed,
 *   'gone' when it was not running.
 * @throws StackError when it is still alive after SIGKILL.
 */
export async function terminate(pid: number, graceMs = 30_000): Promise<'term' | 'kill' | 'gone'> {
  if (!isAlive(pid)) return 'gone';
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'gone';
  }
  if (await waitUntil(() => !isAlive(pid), graceMs, 200)) return 'term';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'kill';
  }
  if (await waitUntil(() => !isAlive(pid), 10_000, 100)) return 'kill';
  throw new StackError(`process ${pid} is still alive after SIGKILL`);
}

/**
 * Polls `check` every `intervalMs` until it returns true or `timeoutMs` elapses.
 *
 * @returns true when the check passed, false on timeout.
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/**
 * Opens (and closes) a TCP connection to host:port.
 *
 * @param timeoutMs connect timeout in milliseconds.
 * @returns true when the connection was accepted.
 */
export function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when `host` names this machine's loopback interface. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * Runs `fn` while holding an exclusive lock file at `lockPath` (created with O_EXCL,
 * holding our pid). A lock whose owner process is dead is taken over.
 *
 * @param timeoutMs how long to wait for another holder, in milliseconds.
 * @param onWait called once, with the holder's pid, when the lock is busy.
 * @throws StackError when the lock is still held by a live process after `timeoutMs`.
 */
export async function withLock<T>(lockPath: string, timeoutMs: number, fn: () => Promise<T>, onWait?: (owner: number) => void): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt((await readFile(lockPath, 'utf8').catch(() => '')).trim(), 10);
      if (!Number.isInteger(owner) || owner <= 0 || !isAlive(owner)) {
        // Stale or half-written lock: remove it unless it was written just now.
        const age = await stat(lockPath).then((s) => Date.now() - s.mtimeMs, () => Infinity);
        if (Number.isInteger(owner) || age > 2000) await rm(lockPath, { force: true });
      } else if (Date.now() >= deadline) {
        throw new StackError(`another stack command (pid ${owner}) holds ${lockPath}; wait for it or remove the file if that process is stuck`);
      } else if (!told) {
        told = true;
        onWait?.(owner);
      }
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}

/** Creates a directory and its parents (no error when it exists). */
export async function ensureDir(path: string, mode?: number): Promise<void> {
  await mkdir(path, { recursive: true, ...(mode === undefined ? {} : { mode }) });
}

/** Wall seconds since `since` (epoch ms), one decimal, for progress lines. */
export function secondsSince(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(1);
}

/**
 * Stops a service this stack started, if `pid` is one (SIGTERM, up to 60 s, then SIGKILL), and removes
 * its pid and endpoint files either way.
 * @returns `pid`.
 */
export async function stopService(
  name: string,
  pid: number | undefined,
  files: { pidFile: string; endpointFile: string },
  log: (msg: string) => void,
): Promise<number | undefined> {
  if (pid !== undefined) {
    log(`stopping ${name} (pid ${pid})…`);
    const how = await terminate(pid, 60_000);
    log(`${name} stopped${how === 'kill' ? ' (SIGKILL after 60 s)' : ''}`);
  }
  await rm(files.pidFile, { force: true });
  await rm(files.endpointFile, { force: true });
  return pid;
}
