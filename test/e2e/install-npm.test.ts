// Installed as a user installs it from npm, with docs/install.md's commands: `npm pack` on a copy of the
// sources without dist/ (prepack must build it), the tarball's exact file list, `npm install -g`
// into a temporary prefix (npm_config_prefix) on a clean HOME, then the whole user flow with the
// installed command under the oldest supported Node (22.19, npm package `node`) and under Node 24
// (the project's own), each first on PATH. Runtime dependencies come from the npm cache that
// `npm ci` filled, else the registry (npm_config_prefer_offline): what a user's install fetches,
// without downloading it twice in CI.
import { cp, mkdir, readFile, readdir, realpath, symlink } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, jest, test } from '@jest/globals';
import { list } from 'tar';
import { tempDir } from '../helpers/temp-dirs.js';
import { repoRoot, run } from './cluster.js';
import { oldestNodeBin, oldestNodeVersion } from './install-tools.js';
import { type Installed, asInstallPageSays, cleanHome, kcl, machineEnv, userFlow } from './user-flow.js';

jest.setTimeout(600_000);

const version: string = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')).version;
const npmCache = path.join(process.env.HOME ?? '', '.npm');
const tarball = `kube-csr-login-${version}.tgz`;
let source: string;
let packedFiles: string[];

/** The package's sources as a clone has them, without dist/ (node_modules linked for the build tools). */
async function sourceCopy(dir: string): Promise<string> {
  const copy = path.join(dir, 'source');
  await mkdir(copy);
  for (const entry of ['bin', 'scripts', 'src', 'LICENSE', 'README.md', 'package.json', 'package-lock.json', 'tsconfig.json']) {
    await cp(path.join(repoRoot, entry), path.join(copy, entry), { recursive: true });
  }
  await symlink(path.join(repoRoot, 'node_modules'), path.join(copy, 'node_modules'));
  return copy;
}

/** Every package installed under `dir`, nested node_modules included. */
async function installedPackages(dir: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    if (entry.startsWith('.')) continue;
    const scoped = entry.startsWith('@') ? (await readdir(path.join(dir, entry))).map((n) => `${entry}/${n}`) : [entry];
    for (const name of scoped) names.push(name, ...(await installedPackages(path.join(dir, name, 'node_modules'))));
  }
  return names;
}

/** Packages package-lock.json marks dev-only: none may be installed with the package. */
async function devOnlyPackages(): Promise<string[]> {
  const lock = JSON.parse(await readFile(path.join(repoRoot, 'package-lock.json'), 'utf8'));
  return Object.entries(lock.packages as Record<string, { dev?: boolean }>)
    .filter(([key, entry]) => entry.dev === true && /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key))
    .map(([key]) => key.slice('node_modules/'.length));
}

beforeAll(async () => {
  source = await sourceCopy(await tempDir('kcl-e2e-npm'));
  // without the npm_* variables of the `npm test` running this, which would point npm at the clone
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_')));
  const packed = await asInstallPageSays('npm pack', { cwd: source, env, inheritEnv: false, timeoutMs: 300_000 });
  if (packed.code !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
  expect(packed.stdout.trim().split('\n').at(-1)).toBe(tarball);
  packedFiles = [];
  await list({ file: path.join(source, tarball), onReadEntry: (entry) => void packedFiles.push(entry.path.replace(/^package\//, '')) });
  packedFiles.sort();
});

describe('npm package', () => {
  test('npm pack ships the launcher, the Node entry, the two bundles prepack built, LICENSE and README: no source, test or dev file', () => {
    expect(packedFiles).toEqual([
      'LICENSE',
      'README.md',
      'bin/kube-csr-login',
      'bin/kube-csr-login.cjs',
      'dist/fast-path.cjs',
      'dist/kube-csr-login.cjs',
      'package.json',
    ]);
  });

  const nodes: Array<[string, string, () => Promise<string>]> = [
    [`Node ${oldestNodeVersion}`, 'n22', oldestNodeBin],
    ['Node 24', 'n24', async () => path.dirname(await realpath(path.join(repoRoot, 'node_modules', '.bin', 'node')))],
  ];
  test.each(nodes)('npm install -g --prefix, then the user flow with the installed command under %s', async (name, short, nodeBin) => {
    const dir = await tempDir('kcl-e2e-npm-install');
    const prefix = path.join(dir, 'prefix');
    // a user's machine: their Node first on PATH, npm as installed; only the download cache is shared
    const env = { ...machineEnv(), HOME: await cleanHome(dir), PATH: `${await nodeBin()}:${prefix}/bin:/usr/local/bin:/usr/bin:/bin` };
    const node = await run('node', ['--version'], { env, inheritEnv: false });
    expect(node.stdout).toMatch(name === 'Node 24' ? /^v24\./ : new RegExp(`^v${oldestNodeVersion}\\n`));

    const npmEnv = {
      ...env,
      npm_config_prefix: prefix,
      npm_config_cache: npmCache,
      npm_config_prefer_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    };
    const install = await asInstallPageSays(`npm install -g ./${tarball}`, {
      cwd: source,
      env: npmEnv,
      inheritEnv: false,
      timeoutMs: 300_000,
    });
    expect(install.stderr).not.toMatch(/npm error/);
    expect(install.code).toBe(0);
    const installedRoot = path.join(prefix, 'lib', 'node_modules', 'kube-csr-login');
    expect((await readdir(installedRoot)).sort()).toEqual(['LICENSE', 'README.md', 'bin', 'dist', 'node_modules', 'package.json']);
    const packages = await installedPackages(path.join(installedRoot, 'node_modules'));
    expect(packages).toContain('@kubernetes/client-node');
    const devOnly = new Set(await devOnlyPackages());
    expect(packages.filter((p) => devOnly.has(p))).toEqual([]);

    const command = path.join(prefix, 'bin', 'kube-csr-login');
    const user: Installed = { command: [command], stanzaCommand: command, env, withNode: true };
    expect((await kcl(user, ['version'])).stdout).toBe(`kube-csr-login ${version}\n`);
    await userFlow(user, `npm.${short}`, `npm-users-${short}`);
  });
});
