// The release archive, installed with docs/install.md's commands: `npm run release` twice gives the same
// bytes; the archive holds the sh launcher, one bundled file that requires nothing but Node's
// built-ins, the single executable (linux-x64), LICENSE and README; krew (built from the Go module
// proxy) installs it from the generated manifest with no network at all (a fresh network
// namespace), and the user flow runs through `kubectl csr-login` and the exec stanza with a `node`
// on PATH that fails if anything starts it. Unpacked by hand, the same user flow runs with the
// single executable, and without it on the oldest supported Node from PATH.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { builtinModules } from 'node:module';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, jest, test } from '@jest/globals';
import { list } from 'tar';
import { parse } from 'yaml';
import { tempDir } from '../helpers/temp-dirs.js';
import { cluster, repoRoot, run } from './cluster.js';
import { krewBin, oldestNodeBin } from './install-tools.js';
import { type Installed, asInstallPageSays, cleanHome, kcl, machineEnv, userFlow } from './user-flow.js';

jest.setTimeout(900_000);

const version: string = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')).version;
const archiveName = `kube-csr-login-${version}-linux-x64.tar.gz`;
let releases: [string, string];

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

async function release(out: string): Promise<void> {
  const result = await run('npm', ['run', 'release', '--', '--out', out], { cwd: repoRoot, timeoutMs: 600_000 });
  if (result.code !== 0) throw new Error(`npm run release failed: ${result.stderr}`);
}

interface Entry {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  uname: string;
}

async function entries(archive: string): Promise<Entry[]> {
  const out: Entry[] = [];
  await list({
    file: archive,
    onReadEntry: (e) =>
      out.push({
        path: e.path,
        mode: e.mode ?? 0,
        uid: e.uid ?? -1,
        gid: e.gid ?? -1,
        mtime: e.mtime?.getTime() ?? 0,
        uname: e.uname ?? '',
      }),
  });
  return out;
}

async function extract(archive: string, dir: string): Promise<void> {
  await promisify(execFile)('tar', ['-xzf', archive, '-C', dir]);
}

/** A directory whose `node` fails loudly: first on PATH, it proves nothing started Node from PATH. */
async function poisonedNode(dir: string): Promise<string> {
  const bin = path.join(dir, 'no-node');
  await mkdir(bin);
  await writeFile(path.join(bin, 'node'), '#!/bin/sh\necho "node from PATH must not run" >&2\nexit 99\n');
  await chmod(path.join(bin, 'node'), 0o755);
  return bin;
}

beforeAll(async () => {
  const dir = await tempDir('kcl-e2e-release');
  releases = [path.join(dir, 'first'), path.join(dir, 'second')];
  for (const out of releases) await release(out);
});

describe('release archive', () => {
  test('npm run release is deterministic: two runs write the same archive and manifest', async () => {
    const [first, second] = releases;
    expect(await sha256(path.join(second, archiveName))).toBe(await sha256(path.join(first, archiveName)));
    expect(await readFile(path.join(second, 'csr-login.yaml'), 'utf8')).toBe(await readFile(path.join(first, 'csr-login.yaml'), 'utf8'));
  });

  test('holds the launcher, one self-contained bundle, the single executable, LICENSE and README; fixed owner, modes and mtime', async () => {
    const archive = path.join(releases[0], archiveName);
    const list = await entries(archive);
    expect(list.map((e) => e.path)).toEqual([
      'LICENSE',
      'README.md',
      'THIRD-PARTY-NOTICES',
      'bin/',
      'bin/kube-csr-login',
      'bin/kube-csr-login-sea',
      'bin/kube-csr-login.cjs',
    ]);
    // portable: no owner names, uid/gid 0 or empty
    expect(new Set(list.map((e) => `${Math.max(e.uid, 0)}:${Math.max(e.gid, 0)}:${e.uname}`))).toEqual(new Set(['0:0:']));
    const files = list.filter((e) => !e.path.endsWith('/'));
    expect(new Set(files.map((e) => e.mtime)).size).toBe(1);
    expect(Object.fromEntries(files.map((e) => [e.path, (e.mode & 0o777).toString(8)]))).toEqual({
      LICENSE: '644',
      'README.md': '644',
      'THIRD-PARTY-NOTICES': '644',
      'bin/kube-csr-login': '755',
      'bin/kube-csr-login-sea': '755',
      'bin/kube-csr-login.cjs': '755',
    });
    const dir = await tempDir('kcl-e2e-release-list');
    await extract(archive, dir);
    expect(await readFile(path.join(dir, 'bin/kube-csr-login'))).toEqual(await readFile(path.join(repoRoot, 'bin/kube-csr-login')));
    const bundle = await readFile(path.join(dir, 'bin/kube-csr-login.cjs'), 'utf8');
    const required = new Set([...bundle.matchAll(/\b(?:require|import)\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1] ?? ''));
    const builtin = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    // built-ins only: the native add-ons it cannot inline are compiled in as absent, so nothing is
    // looked for in node_modules of any parent directory (docs/security-launcher.md)
    expect([...required].filter((name) => !builtin.has(name)).sort()).toEqual([]);
    expect(required.size).toBeGreaterThan(5);
    const notices = await readFile(path.join(dir, 'THIRD-PARTY-NOTICES'), 'utf8');
    for (const inlined of ['@kubernetes/client-node', 'asn1js', 'yaml', 'undici', 'Node.js']) expect(notices).toContain(inlined);
  });

  test('the krew manifest names the archive by its real sha256, one linux/amd64 entry', async () => {
    const manifest = parse(await readFile(path.join(releases[0], 'csr-login.yaml'), 'utf8'));
    expect(manifest.metadata.name).toBe('csr-login');
    expect(manifest.spec.version).toBe(`v${version}`);
    expect(manifest.spec.platforms).toHaveLength(1);
    expect(manifest.spec.platforms[0]).toMatchObject({
      selector: { matchLabels: { os: 'linux', arch: 'amd64' } },
      sha256: await sha256(path.join(releases[0], archiveName)),
      bin: 'bin/kube-csr-login',
    });
    expect(manifest.spec.platforms[0].uri).toMatch(new RegExp(`/${archiveName.replace(/\./g, '\\.')}$`));
  });

  test('kubectl krew install --manifest --archive with no network; kubectl csr-login and the exec stanza run the single executable', async () => {
    const dir = await tempDir('kcl-e2e-krew');
    const krewRoot = path.join(dir, 'krew');
    const home = await cleanHome(dir);
    const kubectlDir = path.dirname(cluster.kubectl);
    const env = {
      ...machineEnv(),
      HOME: home,
      KREW_ROOT: krewRoot,
      KREW_NO_UPGRADE_CHECK: '1',
      PATH: `${await poisonedNode(dir)}:${await krewBin()}:${krewRoot}/bin:${kubectlDir}:/usr/bin:/bin`,
    };
    // unshare -n: a new network namespace with only a loopback that is down, so krew cannot download
    const line = `kubectl krew install --manifest=csr-login.yaml --archive=${archiveName}`;
    const install = await asInstallPageSays(line, { cwd: releases[0], env, inheritEnv: false }, ['unshare', '-n']);
    expect(install.stderr).toContain('Installed plugin: csr-login');
    expect(install.code).toBe(0);

    const status = await run('kubectl', ['csr-login', 'status'], { env, inheritEnv: false });
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).toMatch(/^no profiles/);
    const user: Installed = {
      command: ['kubectl', 'csr-login'],
      stanzaCommand: path.join(krewRoot, 'bin', 'kubectl-csr_login'),
      env,
      withNode: false,
    };
    expect((await kcl(user, ['version'])).stdout).toBe(`kube-csr-login ${version}\n`);
    await userFlow(user, 'krew.sea', 'krew-users');
  });

  /** docs/install.md's commands for unpacking by hand; returns the user as the link in ~/.local/bin runs it. */
  async function unpackAsReadmeSays(dir: string, nodeDir: string, withNode: boolean): Promise<Installed> {
    const home = await cleanHome(dir);
    const env = { ...machineEnv(), HOME: home, PATH: `${nodeDir}:${home}/.local/bin:/usr/bin:/bin` };
    for (const line of [
      'mkdir -p ~/.local/lib/kube-csr-login ~/.local/bin',
      `tar -xzf ${archiveName} -C ~/.local/lib/kube-csr-login`,
      'ln -s ~/.local/lib/kube-csr-login/bin/kube-csr-login ~/.local/bin/',
    ]) {
      expect(await asInstallPageSays(line, { cwd: releases[0], env, inheritEnv: false })).toMatchObject({ code: 0, stderr: '' });
    }
    return { command: ['kube-csr-login'], stanzaCommand: path.join(home, '.local/bin/kube-csr-login'), env, withNode };
  }

  test('unpacked into ~/.local as docs/install.md says, on a machine without Node: the single executable answers', async () => {
    const dir = await tempDir('kcl-e2e-archive-sea');
    const user = await unpackAsReadmeSays(dir, await poisonedNode(dir), false);
    expect((await kcl(user, ['version'])).stdout).toBe(`kube-csr-login ${version}\n`);
    expect(await kcl(user, ['status'])).toMatchObject({ code: 0, stdout: 'no profiles: run kube-csr-login setup\n', stderr: '' });
    // (the krew test above runs the whole user flow through this same single executable)
  });

  test('unpacked into ~/.local without the single executable (as other platforms get it), on the oldest supported Node from PATH: the user flow', async () => {
    const dir = await tempDir('kcl-e2e-archive-node');
    const user = await unpackAsReadmeSays(dir, await oldestNodeBin(), true);
    await rm(path.join(user.env.HOME ?? '', '.local/lib/kube-csr-login/bin/kube-csr-login-sea'));
    expect((await kcl(user, ['version'])).stdout).toBe(`kube-csr-login ${version}\n`);
    await userFlow(user, 'archive.n22', 'archive-users');
  });
});
