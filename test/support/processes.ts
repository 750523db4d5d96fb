/** Spawning the project's CLIs as real child processes (for crash tests), from the repository root. */
import { spawn, type ChildProcess } from 'node:child_process';
import { compiledProcessor } from '../../scripts/build/build.js';
import { repoRoot } from './stack.js';

/** A CLI child with its collected stdout/stderr. */
export interface Child {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  exited: Promise<number | string>;
}

/** Runs `node …argv` in the repository root, with its output collected. */
function spawnNode(argv: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(process.execPath, argv, {
    cwd: repoRoot,
    env: { ...process.env, ...env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { proc, stdout: () => out, stderr: () => err, exited };
}

/** Runs `node --import tsx <script> ...args` in the repository root. */
export function spawnTsx(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Child {
  return spawnNode(['--import', 'tsx', script, ...args], env);
}

/** Runs the compiled processor, `node dist/process.js …args`, without tsx (build it first: `buildDist`). */
export function spawnCompiled(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  return spawnNode([compiledProcessor, ...args], env);
}
