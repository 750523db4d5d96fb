/**
 * The prerequisite step (scripts/prereqs) decides and acts without installing anything here: facts are
 * given, the installer is a recorder, and the policy-rc.d juggling happens on a file in a temp dir.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  DENY_ALL_POLICY,
  planPrereqs,
  REQUIREMENTS,
  runPrereqs,
  withAlternatives,
  withServicesForbidden,
  type Facts,
  type Installer,
} from '../../scripts/prereqs/prereqs.js';

const everything: Facts['found'] = Object.fromEntries(REQUIREMENTS.map((r) => [r.id, `/usr/bin/${r.id}`]));

function facts(over: Partial<Facts> & { missing?: string[] } = {}): Facts {
  const { missing = [], ...rest } = over;
  const found = { ...everything };
  for (const id of missing) delete found[id as keyof Facts['found']];
  return { uid: 0, apt: true, os: ['debian'], found, notes: [], ...rest };
}

describe('planPrereqs', () => {
  it('does nothing when everything is found', () => {
    expect(planPrereqs(facts(), 'test')).toMatchObject({ action: 'none' });
  });

  it('installs only the missing packages as root with apt', () => {
    const plan = planPrereqs(facts({ missing: ['chromium', 'nginx', 'curl'] }), 'test');
    expect(plan).toMatchObject({ action: 'install', packages: ['chromium', 'nginx', 'curl'] });
  });

  it('maps every requirement to its Debian package', () => {
    const plan = planPrereqs(facts({ missing: REQUIREMENTS.map((r) => r.id) }), 'test');
    expect(plan.action === 'install' && plan.packages).toEqual([
      'openjdk-17-jdk-headless',
      'maven',
      'chromium',
      'openssl',
      'nginx',
      'apache2',
      'curl',
    ]);
  });

  it('asks only for Java and Maven for npm start', () => {
    expect(planPrereqs(facts({ missing: ['chromium', 'nginx', 'apache2'] }), 'start')).toMatchObject({ action: 'none' });
    expect(planPrereqs(facts({ missing: ['java', 'chromium'] }), 'start')).toMatchObject({
      action: 'install',
      packages: ['openjdk-17-jdk-headless'],
    });
  });

  it('names Ubuntu’s Chromium package', () => {
    const plan = planPrereqs(facts({ os: ['ubuntu', 'debian'], missing: ['chromium'] }), 'test');
    expect(plan).toMatchObject({ action: 'install', packages: ['chromium-browser'] });
  });

  it('fails with one line naming the packages when not root', () => {
    const plan = planPrereqs(facts({ uid: 1000, missing: ['chromium', 'apache2'] }), 'test');
    expect(plan.action).toBe('fail');
    const message = plan.action === 'fail' ? plan.message : '';
    expect(message).not.toContain('\n');
    expect(message).toBe(
      'missing Chromium, Apache (/usr/sbin/apache2): run as root: apt-get update && apt-get install -y chromium apache2 ' +
        '(or set CHROMIUM_PATH to a Chromium/Chrome binary), then run the command again',
    );
  });

  it('fails with the package names when there is no apt, even as root', () => {
    const plan = planPrereqs(facts({ apt: false, missing: ['java', 'openssl'] }), 'test');
    expect(plan.action === 'fail' && plan.message).toBe(
      'missing Java 17, openssl: install with your package manager (Debian/Ubuntu package names: openjdk-17-jdk-headless openssl), then run the command again',
    );
  });

  it('fails on a CHROMIUM_PATH that does not exist (installing cannot fix it)', () => {
    const plan = planPrereqs(facts({ badChromiumPath: '/nope/chrome', missing: ['chromium'] }), 'test');
    expect(plan.action === 'fail' && plan.message).toMatch(/^CHROMIUM_PATH=\/nope\/chrome does not exist/);
  });
});

describe('runPrereqs', () => {
  function recorder(onInstall?: () => void): Installer & { calls: string[][] } {
    const calls: string[][] = [];
    return {
      calls,
      async install(packages) {
        calls.push(packages);
        onInstall?.();
      },
    };
  }

  it('installs what is missing, then checks again', async () => {
    let installed = false;
    const installer = recorder(() => (installed = true));
    const lines: string[] = [];
    const code = await runPrereqs({
      scope: 'test',
      log: (l) => lines.push(l),
      installer,
      probe: async () => (installed ? facts() : facts({ missing: ['nginx', 'apache2'] })),
    });
    expect(code).toBe(0);
    expect(installer.calls).toEqual([['nginx', 'apache2']]);
    expect(lines).toContain('installing nginx apache2 for nginx (/usr/sbin/nginx), Apache (/usr/sbin/apache2) …');
    expect(lines).toContain('nginx: /usr/bin/nginx (installed)');
  });

  it('fails when the install did not bring the program', async () => {
    const installer = recorder();
    const lines: string[] = [];
    const code = await runPrereqs({ scope: 'test', log: (l) => lines.push(l), installer, probe: async () => facts({ missing: ['curl'] }) });
    expect(code).toBe(1);
    expect(lines.at(-1)).toBe('still missing after apt-get install: curl (if apt-get said "already the newest version": apt-get install --reinstall curl)');
  });

  it('fails when apt-get fails', async () => {
    const installer: Installer = {
      install: async () => {
        throw new Error('E: Unable to locate package chromium');
      },
    };
    const lines: string[] = [];
    const code = await runPrereqs({ scope: 'test', log: (l) => lines.push(l), installer, probe: async () => facts({ missing: ['chromium'] }) });
    expect(code).toBe(1);
    expect(lines.at(-1)).toBe('installing chromium failed: E: Unable to locate package chromium');
  });

  it('as a normal user prints exactly one line and installs nothing', async () => {
    const installer = recorder();
    const lines: string[] = [];
    const code = await runPrereqs({ scope: 'test', log: (l) => lines.push(l), installer, probe: async () => facts({ uid: 1000, missing: ['chromium'] }) });
    expect(code).toBe(1);
    expect(installer.calls).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^missing Chromium: run as root: apt-get update && apt-get install -y chromium /);
  });
});

describe('withServicesForbidden', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rtas-prereqs-'));
  const exitCode = (file: string): number => {
    try {
      execFileSync(file, ['nginx', 'start']);
      return 0;
    } catch (err) {
      return (err as { status: number }).status;
    }
  };

  it('puts a policy answering 101 in place while installing, and removes it after', async () => {
    const policy = path.join(dir, 'none', 'policy-rc.d');
    mkdirSync(path.dirname(policy));
    const during = await withServicesForbidden(async () => ({ text: readFileSync(policy, 'utf8'), code: exitCode(policy) }), policy);
    expect(during).toEqual({ text: DENY_ALL_POLICY, code: 101 });
    expect(existsSync(policy)).toBe(false);
  });

  it('moves a permissive policy aside and puts it back, also when the install fails', async () => {
    const policy = path.join(dir, 'policy-rc.d');
    writeFileSync(policy, '#!/bin/sh\nexit 0\n');
    chmodSync(policy, 0o755);
    await expect(
      withServicesForbidden(async () => {
        expect(exitCode(policy)).toBe(101);
        throw new Error('apt failed');
      }, policy),
    ).rejects.toThrow('apt failed');
    expect(readFileSync(policy, 'utf8')).toBe('#!/bin/sh\nexit 0\n');
    expect(existsSync(`${policy}.rtas-prereqs-backup`)).toBe(false);
  });

  it('keeps a policy that already forbids starting services', async () => {
    const policy = path.join(dir, 'docker-policy-rc.d');
    const docker = '#!/bin/sh\n# docker\nexit 101\n';
    writeFileSync(policy, docker);
    chmodSync(policy, 0o755);
    await withServicesForbidden(async () => expect(readFileSync(policy, 'utf8')).toBe(docker), policy);
    expect(readFileSync(policy, 'utf8')).toBe(docker);
  });
});

describe('withAlternatives', () => {
  it('installs Java 21 where the release has no Java 17 (Debian 13), and leaves the rest', async () => {
    const lines: string[] = [];
    const available = async (pkg: string) => pkg !== 'openjdk-17-jdk-headless';
    expect(await withAlternatives(['openjdk-17-jdk-headless', 'maven', 'nginx'], available, (l) => lines.push(l))).toEqual([
      'openjdk-21-jdk-headless',
      'maven',
      'nginx',
    ]);
    expect(lines).toEqual(['openjdk-17-jdk-headless is not available from this machine\'s apt sources: installing openjdk-21-jdk-headless instead']);
  });

  it('keeps the package when it is available, or when no alternative is', async () => {
    expect(await withAlternatives(['openjdk-17-jdk-headless'], async () => true, () => {})).toEqual(['openjdk-17-jdk-headless']);
    expect(await withAlternatives(['openjdk-17-jdk-headless'], async () => false, () => {})).toEqual(['openjdk-17-jdk-headless']);
  });
});
