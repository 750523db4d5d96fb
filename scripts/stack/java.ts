/**
 * Locating a Java runtime (>= 17) for Elasticsearch, Kafka and Maven.
 */
import { readdir, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { exists, findOnPath, run, StackError } from './proc.js';

/** A Java installation that was probed by running `java -version`. */
export interface JavaInfo {
  /** JAVA_HOME-style directory (contains bin/java). */
  home: string;
  /** Absolute path of the java executable. */
  bin: string;
  /** Feature release, e.g. 17 or 21. */
  major: number;
  /** Full version string, e.g. "17.0.15". */
  version: string;
}

/** Java majors that Elasticsearch 8.19 and Kafka 3.9 are both known to support; preferred in this order. */
const PREFERRED_MAJORS = [17, 21];
const JVM_DIR = '/usr/lib/jvm';

async function probe(home: string): Promise<JavaInfo | undefined> {
  const bin = join(home, 'bin', 'java');
  if (!(await exists(bin))) return undefined;
  try {
    const { stderr, stdout } = await run(bin, ['-version'], { timeout: 20_000 });
    const m = /version "([^"]+)"/.exec(`${stderr}\n${stdout}`);
    if (!m?.[1]) return undefined;
    const version = m[1];
    const parts = version.split(/[.+_-]/);
    const major = Number.parseInt(parts[0] === '1' ? parts[1] ?? '' : parts[0] ?? '', 10);
    return Number.isInteger(major) ? { home, bin, major, version } : undefined;
  } catch {
    return undefined;
  }
}

async function candidateHomes(): Promise<{ explicit: string[]; discovered: string[] }> {
  const explicit = [process.env.ES_JAVA_HOME, process.env.JAVA_HOME].filter((h): h is string => !!h?.trim()).map((h) => h.trim());
  const discovered: string[] = [];
  try {
    const entries = (await readdir(JVM_DIR)).sort();
    // Debian's canonical names first (java-17-openjdk-<arch>), then everything else.
    entries.sort((a, b) => Number(!a.startsWith('java-')) - Number(!b.startsWith('java-')));
    for (const e of entries) discovered.push(join(JVM_DIR, e));
  } catch {
    // no /usr/lib/jvm
  }
  const onPath = await findOnPath('java');
  if (onPath) discovered.push(dirname(dirname(await realpath(onPath))));
  return { explicit, discovered };
}

/**
 * Finds a Java runtime for the stack. Order: `ES_JAVA_HOME` (used when its major is
 * >= 17), then `JAVA_HOME`, the JDKs under /usr/lib/jvm and `java` on PATH, preferring
 * majors 17 and 21 (the ones Elasticsearch 8.19 supports); any other >= 17 is the last resort.
 *
 * @throws StackError with install instructions when no Java >= 17 is found.
 */
export async function findJava(): Promise<JavaInfo> {
  const { explicit, discovered } = await candidateHomes();
  const seen = new Set<string>();
  const probed: JavaInfo[] = [];
  const esJavaHome = process.env.ES_JAVA_HOME?.trim();
  for (const home of [...explicit, ...discovered]) {
    const real = await realpath(home).catch(() => home);
    if (seen.has(real)) continue;
    seen.add(real);
    const info = await probe(real);
    if (!info) continue;
    if (home === esJavaHome && info.major >= 17) return info;
    if (PREFERRED_MAJORS.includes(info.major)) return info;
    probed.push(info);
  }
  const fallback = probed.filter((j) => j.major >= 17).sort((a, b) => a.major - b.major)[0];
  if (fallback) return fallback;
  const found = probed.map((j) => `${j.home} (${j.version})`).join(', ');
  throw new StackError(
    `Java 17 or newer not found${found ? ` (found only ${found})` : ''}: install it (apt-get install openjdk-17-jdk-headless) ` +
      'or set JAVA_HOME / ES_JAVA_HOME to a Java 17 or 21 JDK, or set ES_URL and KAFKA_BROKERS to running services',
  );
}
