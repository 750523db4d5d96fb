/**
 * The unprivileged account that runs Elasticsearch when the stack is driven by root
 * (Elasticsearch refuses to start as root).
 */
import { stat } from 'node:fs/promises';

import { findOnPath, run, StackError } from './proc.js';

/** Numeric identity of a local account. */
export interface ServiceUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

async function lookup(name: string): Promise<ServiceUser | undefined> {
  try {
    const { stdout } = await run('getent', ['passwd', name]);
    const [, , uid, gid, , home] = stdout.trim().split(':');
    return { name, uid: Number(uid), gid: Number(gid), home: home ?? '/' };
  } catch {
    return undefined;
  }
}

/**
 * Returns the account `name`, creating it first (`useradd -r -m -s /bin/bash`) when it
 * does not exist. Must run as root to create.
 *
 * @throws StackError when the account is missing and cannot be created.
 */
export async function ensureServiceUser(name: string): Promise<ServiceUser> {
  const existing = await lookup(name);
  if (existing) return existing;
  const useradd = (await findOnPath('useradd')) ?? '/usr/sbin/useradd';
  try {
    await run(useradd, ['-r', '-m', '-s', '/bin/bash', name]);
  } catch (err) {
    throw new StackError(`cannot create user ${name} to run Elasticsearch (it refuses to run as root): ${(err as Error).message}`);
  }
  const created = await lookup(name);
  if (!created) throw new StackError(`user ${name} was created but cannot be looked up with getent`);
  return created;
}

/**
 * Makes `user` the owner of `path` and everything below it, unless `path` already
 * belongs to that uid (then it is left untouched, which keeps repeated starts fast).
 *
 * @throws Error when chown fails.
 */
export async function ensureOwnedBy(path: string, user: ServiceUser): Promise<void> {
  const s = await stat(path);
  if (s.uid === user.uid && s.gid === user.gid) return;
  await run('chown', ['-R', `${user.uid}:${user.gid}`, path]);
}

/**
 * Checks that `user` can execute `file` (so every directory above it is traversable).
 *
 * @throws StackError naming the file and how to fix the location.
 */
export async function assertUserCanExecute(user: ServiceUser, file: string, hint: string): Promise<void> {
  try {
    await run('test', ['-x', file], { uid: user.uid, gid: user.gid });
  } catch {
    throw new StackError(`user ${user.name} cannot execute ${file}: ${hint}`);
  }
}
