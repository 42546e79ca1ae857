// --token-storage keyring end to end: a real Secret Service (gnome-keyring on the test's own D-Bus
// session bus), the real control plane and the real kubectl. setup stores the token in the keyring
// and nowhere on disk; a blocking and a background renewal read it from there; logout --forget
// removes the entry. Without a reachable keyring, setup refuses and names the alternatives.
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { cluster, launcher, repoRoot, run, sleep, tempDir } from './cluster.js';
import { approveContinuously } from './provision.js';
import { type SecretService, ensureSecretServicePackages, startSecretService } from './secret-service.js';
import { addUserWithBundle, cachedCertificate, filesContaining, pastDeadline, userEnv } from './token-storage-helpers.js';

jest.setTimeout(300_000);

const user = 'keyring.kim';
const namespace = 'keyring-users';
const adminArgs = ['--users-namespace', namespace, '--kubeconfig', cluster.adminKubeconfig];
let dir: string;
let home: string;
let bundle: string;
let token: string;
let keyring: SecretService;
let stopApproving: () => Promise<void>;

beforeAll(async () => {
  await ensureSecretServicePackages();
  dir = await tempDir('keyring');
  home = path.join(dir, 'home');
  await mkdir(home);
  keyring = await startSecretService(dir);
  bundle = path.join(dir, 'kim.bundle'); // the admin's hand-over, outside the user's HOME
  token = await addUserWithBundle(user, bundle, '48h', adminArgs);
  stopApproving = approveContinuously(user);
});
afterAll(async () => {
  await stopApproving?.();
  keyring?.stop();
  await run(launcher, ['admin', 'remove-user', user, ...adminArgs]);
});

/** Asks the Secret Service directly, as another client would, for the entry setup made. */
async function keyringHolds(account: string): Promise<string | null> {
  const script = `const { AsyncEntry } = require('@napi-rs/keyring');
    new AsyncEntry('kube-csr-login', process.argv[1], { linux: { store: 'secret-service' } }).getPassword().then((p) => process.stdout.write(JSON.stringify(p)), (e) => { process.stderr.write(String(e)); process.exit(1); });`;
  const result = await run(process.execPath, ['-e', script, account], {
    env: { ...process.env, ...keyring.env, NODE_PATH: path.join(repoRoot, 'node_modules') },
  });
  if (result.code !== 0) throw new Error(`keyring read failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

test('no keyring reachable: setup fails with one line naming the alternatives and writes nothing', async () => {
  const headless = path.join(dir, 'headless');
  await mkdir(path.join(headless, 'run'), { recursive: true, mode: 0o700 });
  const env = userEnv(headless, { XDG_RUNTIME_DIR: path.join(headless, 'run') }); // no bus address, no bus socket
  const result = await run(launcher, ['setup', '--bundle', bundle, '--token-storage', 'keyring'], { env, input: '' });
  expect(result.code).toBe(3);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(/no OS keyring reachable .*--token-storage passphrase \(or file\)/);
  await expect(stat(path.join(headless, '.config'))).rejects.toThrow();
  await expect(stat(path.join(headless, '.kube'))).rejects.toThrow();
});

test('setup, kubectl, blocking and background renewal, status, logout --forget: the token only ever in the keyring', async () => {
  const env = userEnv(home, keyring.env);
  const setup = await run(launcher, ['setup', '--bundle', bundle, '--token-storage', 'keyring', '--use-context'], { env, input: '' });
  expect(setup.stderr).not.toContain('error');
  expect(setup.code).toBe(0);
  expect(setup.stdout).toContain('The long-term token is kept in the OS keyring');
  // no terminal: the bundle is kept, and named as a plain-text copy
  expect(setup.stderr).toContain(`kube-csr-login: warning: ${bundle} still holds the token in plain text (now kept in the OS keyring)`);
  const profileFile = path.join(home, '.config', 'kube-csr-login', 'profiles', 'default.json');
  const profile = JSON.parse(await readFile(profileFile, 'utf8'));
  expect(profile.tokenFile).toBeUndefined();
  expect(profile.tokenStore).toMatchObject({ storage: 'keyring', account: profileFile });
  expect(await keyringHolds(profileFile)).toBe(token);
  expect(await filesContaining([home, dir], token)).toEqual([bundle]);

  const kubectl = (args: string[]) => run(cluster.kubectl, args, { env });
  const whoami = () => kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
  expect(await whoami()).toMatchObject({ code: 0, stdout: user });

  // blocking renewal: nothing cached, the token comes from the keyring
  expect((await run(launcher, ['logout'], { env })).code).toBe(0);
  expect(await whoami()).toMatchObject({ code: 0, stdout: user });

  // background renewal: past the renewal point the old certificate is served and a detached
  // process (same environment, same keyring) replaces it
  const before = await pastDeadline(home);
  expect(await whoami()).toMatchObject({ code: 0, stdout: user });
  let after = before;
  for (let i = 0; i < 100 && after === before; i += 1) {
    await sleep(200);
    after = await cachedCertificate(home);
  }
  expect(after).not.toBe(before);
  expect(await whoami()).toMatchObject({ code: 0, stdout: user });

  const status = await run(launcher, ['status'], { env });
  expect(status.stdout).toMatch(/token {8}OS keyring, expires \S+ \(in 1d 23h\) WARNING: ask your admin for a new login bundle/);
  expect(status.stdout).toContain(`token copy   WARNING: ${bundle} still holds the token in plain text`);
  expect(await filesContaining([home, dir], token)).toEqual([bundle]);

  const forget = await run(launcher, ['logout', '--forget'], { env });
  expect(forget).toMatchObject({ code: 0, stdout: expect.stringContaining('token (OS keyring entry), CA and kubeconfig context') });
  expect(await keyringHolds(profileFile)).toBeNull();
  await expect(stat(profileFile)).rejects.toThrow();
  expect((await whoami()).code).not.toBe(0);
});

test('switching storage: keyring to file and back removes the old copy', async () => {
  const other = path.join(dir, 'switch');
  await mkdir(other);
  const env = userEnv(other, keyring.env);
  const profileFile = path.join(other, '.config', 'kube-csr-login', 'profiles', 'default.json');
  const tokenFile = path.join(other, '.config', 'kube-csr-login', 'profiles', 'default.token');
  expect((await run(launcher, ['setup', '--bundle', bundle, '--token-storage', 'keyring'], { env, input: '' })).code).toBe(0);
  expect((await run(launcher, ['setup', '--bundle', bundle, '--token-storage', 'file'], { env, input: '' })).code).toBe(0);
  expect(await keyringHolds(profileFile)).toBeNull();
  expect((await readFile(tokenFile, 'utf8')).trim()).toBe(token);
  expect((await run(launcher, ['setup', '--bundle', bundle, '--token-storage', 'keyring'], { env, input: '' })).code).toBe(0);
  await expect(stat(tokenFile)).rejects.toThrow();
  expect(await keyringHolds(profileFile)).toBe(token);
  expect((await run(launcher, ['logout', '--forget'], { env })).code).toBe(0);
  expect(await keyringHolds(profileFile)).toBeNull();
});

test('--remove-token-copy deletes the bundle copy setup read; status warned until then and stops', async () => {
  const other = path.join(dir, 'remove-copy');
  await mkdir(path.join(other, 'Downloads'), { recursive: true });
  const env = userEnv(other, keyring.env);
  const download = path.join(other, 'Downloads', 'kim.kubeconfig');
  await copyFile(bundle, download);
  const kept = await run(launcher, ['setup', '--bundle', download, '--token-storage', 'keyring', '--no-remove-token-copy'], {
    env,
    input: '',
  });
  expect(kept.code).toBe(0);
  const copies = async () => JSON.parse((await run(launcher, ['status', '-o', 'json'], { env })).stdout).profiles[0].plainTextCopies;
  expect(await copies()).toEqual([download]);
  // the copy is the user's ServiceAccount token: it works on its own
  const whoami = ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'];
  expect((await run(cluster.kubectl, ['--kubeconfig', download, ...whoami])).stdout).toBe(`system:serviceaccount:${namespace}:${user}`);
  const removed = await run(launcher, ['setup', '--bundle', download, '--token-storage', 'keyring', '--remove-token-copy'], {
    env,
    input: '',
  });
  expect(removed.stderr).toContain(`kube-csr-login: removed ${download} (unlinked`);
  expect(removed.code).toBe(0);
  await expect(stat(download)).rejects.toThrow();
  expect(await copies()).toEqual([]);
  expect(await filesContaining([other], token)).toEqual([]);
  expect((await run(launcher, ['logout', '--forget'], { env })).code).toBe(0);
});
