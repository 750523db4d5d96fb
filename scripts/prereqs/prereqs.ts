/**
 * The programs outside `node_modules` that `npm test` and `npm start` need, found or installed in one
 * step (`scripts/prereqs/cli.ts`, run by the `pretest` and `prestart` hooks and so by `.ci/run`).
 *
 * | requirement | found as                                                   | Debian package          | needed by |
 * |-------------|------------------------------------------------------------|-------------------------|-----------|
 * | java        | a Java 17 or 21 that the stack's `findJava` picks           | openjdk-17-jdk-headless | test, start |
 * | maven       | `mvn` on PATH                                               | maven                   | test, start |
 * | chromium    | `CHROMIUM_PATH`, else the dashboard's `CHROMIUM_CANDIDATES`   | chromium                | test |
 * | openssl     | `openssl` on PATH                                           | openssl                 | test |
 * | nginx       | `/usr/sbin/nginx`                                           | nginx                   | test |
 * | apache2     | `/usr/sbin/apache2`                                         | apache2                 | test |
 * | curl        | `curl` on PATH                                              | curl                    | test |
 *
 * Root on a machine with apt: `apt-get update` once, then `apt-get install -y` of only the missing
 * packages, with a `policy-rc.d` that answers 101 so that the nginx and apache2 packages do not start
 * their services (the tests run both as their own processes with their own configuration); any such
 * service found running afterwards is stopped, and disabled under systemd. Otherwise one line says
 * what to install and the step fails before any test runs.
 *
 * The logic is split in three so it can be tested without installing anything: {@link probeFacts}
 * looks at the machine, {@link planPrereqs} decides (pure), {@link runPrereqs} acts through an
 * injectable {@link Installer}.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';

import { CHROMIUM_CANDIDATES } from '../dashboard/browser.js';
import { APACHE_BIN, NGINX_BIN } from './binaries.js';
import { findJava } from '../stack/java.js';
import { findOnPath, isAlive, run, tail } from '../stack/proc.js';

/** Which command the step prepares for: `test` needs everything, `start` only Java and Maven. */
export type Scope = 'test' | 'start';

/** One program the project needs. */
export interface Requirement {
  /** Short id, also the key of {@link Facts.found}. */
  id: 'java' | 'maven' | 'chromium' | 'openssl' | 'nginx' | 'apache2' | 'curl';
  /** What a person is told is missing, e.g. "Java 17". */
  label: string;
  /** Debian/Ubuntu package that provides it. */
  pkg: string;
  /** Commands that need it. */
  scopes: Scope[];
}

/** Every requirement, in the order they are reported. */
export const REQUIREMENTS: readonly Requirement[] = [
  { id: 'java', label: 'Java 17', pkg: 'openjdk-17-jdk-headless', scopes: ['test', 'start'] },
  { id: 'maven', label: 'Maven (mvn)', pkg: 'maven', scopes: ['test', 'start'] },
  { id: 'chromium', label: 'Chromium', pkg: 'chromium', scopes: ['test'] },
  { id: 'openssl', label: 'openssl', pkg: 'openssl', scopes: ['test'] },
  { id: 'nginx', label: 'nginx (/usr/sbin/nginx)', pkg: 'nginx', scopes: ['test'] },
  { id: 'apache2', label: 'Apache (/usr/sbin/apache2)', pkg: 'apache2', scopes: ['test'] },
  { id: 'curl', label: 'curl', pkg: 'curl', scopes: ['test'] },
];

export { APACHE_BIN, NGINX_BIN } from './binaries.js';

/** What {@link probeFacts} saw on this machine. */
export interface Facts {
  /** Effective uid (0 = root); undefined where the platform has none. */
  uid: number | undefined;
  /** True when `apt-get` is on PATH. */
  apt: boolean;
  /** `ID` and `ID_LIKE` of /etc/os-release, lower case (e.g. ["debian"], ["ubuntu", "debian"]). */
  os: string[];
  /** For each requirement, a description of what satisfies it (path, version), or undefined when missing. */
  found: Partial<Record<Requirement['id'], string>>;
  /** Extra lines worth showing (e.g. `java` on PATH is another version than the one the stack uses). */
  notes: string[];
  /** Set when `CHROMIUM_PATH` names a file that does not exist (installing cannot fix that). */
  badChromiumPath?: string;
}

/** What {@link planPrereqs} decided. */
export type Plan =
  | { action: 'none'; present: Requirement[] }
  | { action: 'install'; present: Requirement[]; missing: Requirement[]; packages: string[] }
  | { action: 'fail'; present: Requirement[]; missing: Requirement[]; message: string };

/** Package name of `r` on this OS: Ubuntu ships Chromium as `chromium-browser` (a snap wrapper). */
export function packageFor(r: Requirement, os: readonly string[]): string {
  if (r.id === 'chromium' && os[0] === 'ubuntu') return 'chromium-browser';
  return r.pkg;
}

/**
 * Decides what to do from the facts, without side effects: nothing, `apt-get install` of the missing
 * packages (root and apt), or fail with one line naming the packages.
 */
export function planPrereqs(facts: Facts, scope: Scope): Plan {
  const wanted = REQUIREMENTS.filter((r) => r.scopes.includes(scope));
  const present = wanted.filter((r) => facts.found[r.id] !== undefined);
  const missing = wanted.filter((r) => facts.found[r.id] === undefined);
  if (facts.badChromiumPath !== undefined && scope === 'test') {
    return {
      action: 'fail',
      present,
      missing,
      message: `CHROMIUM_PATH=${facts.badChromiumPath} does not exist: point it at a Chromium or Chrome binary, or unset it`,
    };
  }
  if (missing.length === 0) return { action: 'none', present };
  const packages = [...new Set(missing.map((r) => packageFor(r, facts.os)))];
  if (facts.uid === 0 && facts.apt) return { action: 'install', present, missing, packages };
  return { action: 'fail', present, missing, message: missingMessage(missing, packages, facts) };
}

/** The one line shown when the step cannot install by itself (not root, or no apt). */
export function missingMessage(missing: readonly Requirement[], packages: readonly string[], facts: Pick<Facts, 'uid' | 'apt'>): string {
  const what = missing.map((r) => r.label).join(', ');
  const chromiumHint = missing.some((r) => r.id === 'chromium') ? ' (or set CHROMIUM_PATH to a Chromium/Chrome binary)' : '';
  const how = facts.apt
    ? `run as root: apt-get update && apt-get install -y ${packages.join(' ')}`
    : `install with your package manager (Debian/Ubuntu package names: ${packages.join(' ')})`;
  return `missing ${what}: ${how}${chromiumHint}, then run the command again`;
}

function osRelease(): string[] {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const get = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1]?.replace(/^["']|["']$/g, '').toLowerCase();
    return [get('ID'), ...(get('ID_LIKE')?.split(/\s+/) ?? [])].filter((s): s is string => !!s);
  } catch {
    return [];
  }
}

async function javaMajorOf(bin: string): Promise<{ major: number; version: string } | undefined> {
  try {
    const { stdout, stderr } = await run(bin, ['-version'], { timeout: 20_000 });
    const version = /version "([^"]+)"/.exec(`${stderr}\n${stdout}`)?.[1];
    if (!version) return undefined;
    const parts = version.split(/[.+_-]/);
    const major = Number.parseInt(parts[0] === '1' ? (parts[1] ?? '') : (parts[0] ?? ''), 10);
    return Number.isInteger(major) ? { major, version } : undefined;
  } catch {
    return undefined;
  }
}

/** Java majors accepted: the ones the stack prefers (scripts/stack/java.ts), 17 first. */
const JAVA_MAJORS = [17, 21];

async function probeJava(notes: string[]): Promise<string | undefined> {
  const java = await findJava().catch(() => undefined);
  const esJavaHome = process.env.ES_JAVA_HOME?.trim();
  const ok = java && (JAVA_MAJORS.includes(java.major) || java.home === esJavaHome);
  const onPath = await findOnPath('java');
  if (onPath) {
    const real = await realpath(onPath).catch(() => onPath);
    const v = await javaMajorOf(real);
    if (java && ok && real !== java.bin && (!v || !JAVA_MAJORS.includes(v.major))) {
      notes.push(`\`java\` on PATH is ${real} (${v?.version ?? 'unknown version'}); the stack runs ${java.bin} (${java.version}); set JAVA_HOME to choose`);
    }
  }
  return ok ? `${java.bin} (${java.version})` : undefined;
}

/** Looks at this machine: uid, apt, OS and each requirement (runs `java -version`; installs nothing). */
export async function probeFacts(env: NodeJS.ProcessEnv = process.env): Promise<Facts> {
  const notes: string[] = [];
  const found: Facts['found'] = {};
  let badChromiumPath: string | undefined;
  const chromiumPath = env.CHROMIUM_PATH?.trim();
  if (chromiumPath) {
    if (existsSync(chromiumPath)) found.chromium = `${chromiumPath} (CHROMIUM_PATH)`;
    else badChromiumPath = chromiumPath;
  } else {
    const c = CHROMIUM_CANDIDATES.find((p) => existsSync(p));
    if (c) found.chromium = c;
  }
  found.java = await probeJava(notes);
  found.maven = await findOnPath('mvn');
  found.openssl = await findOnPath('openssl');
  found.curl = await findOnPath('curl');
  if (existsSync(NGINX_BIN)) found.nginx = NGINX_BIN;
  if (existsSync(APACHE_BIN)) found.apache2 = APACHE_BIN;
  return {
    uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
    apt: (await findOnPath('apt-get')) !== undefined,
    os: osRelease(),
    found,
    notes,
    ...(badChromiumPath !== undefined ? { badChromiumPath } : {}),
  };
}

/** The side effects {@link runPrereqs} needs; the real one is {@link aptInstaller}. */
export interface Installer {
  /** Installs `packages` (Debian names); resolves once done, throws with the tail of the output on failure. */
  install(packages: string[], log: (line: string) => void): Promise<void>;
}

/** Options of {@link runPrereqs}. */
export interface RunOptions {
  scope: Scope;
  log: (line: string) => void;
  /** Facts source; default {@link probeFacts}. Called again after an install to verify. */
  probe?: () => Promise<Facts>;
  /** Default {@link aptInstaller}. */
  installer?: Installer;
}

/**
 * Finds or installs what `scope` needs, printing one line per requirement.
 * @returns the exit code: 0 when everything is present (after installing if needed), 1 otherwise
 *   (the reason was logged as one line starting with "missing" or naming what failed).
 */
export async function runPrereqs(opts: RunOptions): Promise<number> {
  const probe = opts.probe ?? (() => probeFacts());
  const installer = opts.installer ?? aptInstaller();
  const facts = await probe();
  const plan = planPrereqs(facts, opts.scope);
  const show = (f: Facts) => {
    for (const r of plan.present) opts.log(`${r.id}: ${f.found[r.id]}`);
    for (const n of f.notes) opts.log(`note: ${n}`);
  };
  if (plan.action === 'none') {
    show(facts);
    return 0;
  }
  if (plan.action === 'fail') {
    opts.log(plan.message);
    return 1;
  }
  show(facts);
  opts.log(`installing ${plan.packages.join(' ')} for ${plan.missing.map((r) => r.label).join(', ')} …`);
  try {
    await installer.install(plan.packages, opts.log);
  } catch (err) {
    opts.log(`installing ${plan.packages.join(' ')} failed: ${(err as Error).message}`);
    return 1;
  }
  const after = await probe();
  const still = plan.missing.filter((r) => after.found[r.id] === undefined);
  for (const r of plan.missing) if (after.found[r.id] !== undefined) opts.log(`${r.id}: ${after.found[r.id]} (installed)`);
  if (still.length > 0) {
    // E.g. dpkg believes the package is installed but its files were removed: apt-get did nothing.
    const pkgs = [...new Set(still.map((r) => packageFor(r, after.os)))];
    opts.log(`still missing after apt-get install: ${still.map((r) => r.label).join(', ')} (if apt-get said "already the newest version": apt-get install --reinstall ${pkgs.join(' ')})`);
    return 1;
  }
  return 0;
}

/** Where Debian's invoke-rc.d and deb-systemd-invoke look for the local service policy. */
export const POLICY_RC_D = '/usr/sbin/policy-rc.d';
/** A policy that forbids every service action ("101 – action forbidden by policy"), per invoke-rc.d(8). */
export const DENY_ALL_POLICY = '#!/bin/sh\n# written by scripts/prereqs while it installs packages: no service starts\nexit 101\n';

function exitCodeOf(file: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 10_000 }, (err) => {
      resolve(err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0);
    });
  });
}

/**
 * Runs `fn` with a `policy-rc.d` at `path` that answers 101 to every service action, so packages do
 * not start their services. A policy already there that answers 101 to `nginx start` is kept as is;
 * any other is moved aside and put back afterwards (also on SIGINT/SIGTERM).
 */
export async function withServicesForbidden<T>(fn: () => Promise<T>, path: string = POLICY_RC_D): Promise<T> {
  if (existsSync(path) && (await exitCodeOf(path, ['nginx', 'start'])) === 101) return fn();
  const backup = `${path}.rtas-prereqs-backup`;
  const hadOwn = existsSync(path);
  if (hadOwn) await rename(path, backup);
  await writeFile(path, DENY_ALL_POLICY);
  await chmod(path, 0o755);
  let restored = false;
  const restore = async () => {
    if (restored) return;
    restored = true;
    await rm(path, { force: true });
    if (hadOwn) await rename(backup, path);
  };
  const onSignal = (sig: NodeJS.Signals) => {
    void restore().finally(() => process.kill(process.pid, sig));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await restore();
  }
}

/** Streams a command's output to `log` line by line; rejects with the last lines when it exits non-zero. */
function runLogged(file: string, args: string[], log: (line: string) => void, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env, maxBuffer: 256 * 1024 * 1024 });
    let all = '';
    let partial = '';
    const onData = (d: Buffer | string) => {
      const text = partial + d.toString();
      all += d.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      // apt redraws progress with \r: show only the last state of each line.
      for (const l of lines) {
        const last = l.split('\r').filter((x) => x.trim()).pop();
        if (last) log(`  ${last}`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      const last = partial.split('\r').filter((x) => x.trim()).pop();
      if (last) log(`  ${last}`);
      if (code === 0) resolve();
      else reject(new Error(`${file} ${args.join(' ')} exited with ${code}:\n${tail(all.trim(), 15)}`));
    });
  });
}

/** Service names of the packages whose daemons must not be left running. */
const SERVICES: Record<string, { pidFile: string; marker: string }> = {
  nginx: { pidFile: '/run/nginx.pid', marker: 'nginx' },
  apache2: { pidFile: '/run/apache2/apache2.pid', marker: 'apache2' },
};

/**
 * Stops (and under systemd disables) the nginx/apache2 services among `packages`, in case one was
 * started despite the policy: `systemctl disable --now`, `service <name> stop`, then SIGTERM to the pid
 * in its pid file. Only for packages this step just installed: a service the user had before is theirs.
 */
export async function stopPackageServices(packages: readonly string[], log: (line: string) => void): Promise<void> {
  const systemd = existsSync('/run/systemd/system');
  for (const name of packages.filter((p) => p in SERVICES)) {
    const svc = SERVICES[name]!;
    if (systemd) await exitCodeOf('systemctl', ['disable', '--now', name]);
    else if (await findOnPath('service')) await exitCodeOf('service', [name, 'stop']);
    const pid = Number.parseInt((await readFile(svc.pidFile, 'utf8').catch(() => '')).trim(), 10);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmd.includes(svc.marker)) {
        process.kill(pid, 'SIGTERM');
        log(`stopped the ${name} service the package started (pid ${pid})`);
      }
    }
    log(`${name}: the package's service is ${systemd ? 'stopped and disabled' : 'not left running'} (the tests run their own ${name} processes)`);
  }
}

/**
 * Packages to use instead when a release has no candidate for one: Debian 13 has no OpenJDK 17, and
 * Java 21 is the other major the stack prefers (scripts/stack/java.ts).
 */
export const PACKAGE_ALTERNATIVES: Readonly<Record<string, readonly string[]>> = {
  'openjdk-17-jdk-headless': ['openjdk-21-jdk-headless'],
};

/**
 * `packages` with each one the archive cannot install replaced by its first installable alternative
 * ({@link PACKAGE_ALTERNATIVES}); `available` answers whether apt has a candidate for a name.
 */
export async function withAlternatives(
  packages: readonly string[],
  available: (pkg: string) => Promise<boolean>,
  log: (line: string) => void,
): Promise<string[]> {
  const out: string[] = [];
  for (const pkg of packages) {
    const alternatives = PACKAGE_ALTERNATIVES[pkg];
    if (!alternatives || (await available(pkg))) {
      out.push(pkg);
      continue;
    }
    let chosen = pkg; // none available either: let apt-get say so
    for (const alt of alternatives) {
      if (await available(alt)) {
        chosen = alt;
        log(`${pkg} is not available from this machine's apt sources: installing ${alt} instead`);
        break;
      }
    }
    out.push(chosen);
  }
  return out;
}

/** True when apt has an installation candidate for `pkg` (`apt-cache policy` names one). */
async function aptCandidate(pkg: string): Promise<boolean> {
  try {
    const { stdout } = await run('apt-cache', ['policy', pkg], { timeout: 60_000 });
    const candidate = /Candidate:\s*(\S+)/.exec(stdout)?.[1];
    return candidate !== undefined && candidate !== '(none)';
  } catch {
    return false;
  }
}

/**
 * The real installer: `apt-get update` once, `apt-get install -y` of the packages (alternatives for
 * those the release lacks) with their progress lines, under {@link withServicesForbidden}, then
 * {@link stopPackageServices}. Needs root.
 */
export function aptInstaller(): Installer {
  return {
    async install(packages, log) {
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      await withServicesForbidden(async () => {
        // Wait for a dpkg lock held by another apt (e.g. unattended-upgrades on a fresh VM) instead of failing.
        const lock = ['-o', 'DPkg::Lock::Timeout=300'];
        log('apt-get update …');
        await runLogged('apt-get', ['-q', ...lock, 'update'], log, env);
        const chosen = await withAlternatives(packages, aptCandidate, log);
        log(`apt-get install -y ${chosen.join(' ')} …`);
        await runLogged('apt-get', ['-q', ...lock, 'install', '-y', ...chosen], log, env);
      });
      await stopPackageServices(packages, log);
    },
  };
}
