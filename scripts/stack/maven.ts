/**
 * Fetching artifacts from Maven Central with the `mvn` client (the only download
 * channel the stack uses). Artifacts are cached in Maven's local repository (~/.m2).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { JavaInfo } from './java.js';
import { ensureDir, findOnPath, run, StackError } from './proc.js';

/** Pinned so every machine unpacks and copies the same way (it preserves file modes). */
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
/** Upper bound for one Maven invocation, in milliseconds. */
const MAVEN_TIMEOUT_MS = 20 * 60_000;

/**
 * Returns the path of `mvn` on PATH.
 *
 * @param fallbackHint what the user can do instead (appended to the error message).
 * @throws StackError telling how to install Maven when it is missing.
 */
export async function findMaven(fallbackHint: string): Promise<string> {
  const mvn = await findOnPath('mvn');
  if (!mvn) throw new StackError(`Maven (mvn) not found on PATH: install it (apt-get install maven) or ${fallbackHint}`);
  return mvn;
}

function mavenEnv(java: JavaInfo): NodeJS.ProcessEnv {
  return { ...process.env, JAVA_HOME: java.home };
}

const QUIET = ['-q', '-B', '-Dstyle.color=never'];

/**
 * Downloads (when not cached) and unpacks an archive artifact into `outDir`, keeping
 * the archive's file modes.
 *
 * @param artifact `groupId:artifactId:version:type`, e.g. the Elasticsearch zip.
 * @param workDir parent of a scratch directory for Maven (removed afterwards); created if missing.
 * @throws Error with Maven's output when resolution or unpacking fails.
 */
export async function mavenUnpack(mvn: string, java: JavaInfo, artifact: string, outDir: string, workDir: string): Promise<void> {
  // The plugin keeps "already unpacked" marker files under the working directory
  // (not configurable from the command line), so each run gets a fresh one.
  await ensureDir(workDir);
  const cwd = await mkdtemp(join(workDir, 'unpack-'));
  try {
    await run(mvn, [...QUIET, `${DEPENDENCY_PLUGIN}:unpack`, `-Dartifact=${artifact}`, `-DoutputDirectory=${outDir}`], {
      cwd,
      env: mavenEnv(java),
      timeout: MAVEN_TIMEOUT_MS,
    });
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

/**
 * Resolves the runtime dependencies of the project in `pomDir` (its pom.xml) and copies
 * every jar, transitive ones included, into `outDir`.
 *
 * @throws Error with Maven's output when resolution fails.
 */
export async function mavenCopyRuntimeDependencies(mvn: string, java: JavaInfo, pomDir: string, outDir: string): Promise<void> {
  await run(
    mvn,
    [...QUIET, `${DEPENDENCY_PLUGIN}:copy-dependencies`, '-DincludeScope=runtime', `-DoutputDirectory=${outDir}`],
    { cwd: pomDir, env: mavenEnv(java), timeout: MAVEN_TIMEOUT_MS },
  );
}
