// --token-storage passphrase end to end: setup and the real kubectl run under a pseudo-terminal
// (util-linux script), where the test types the passphrase at the prompts, against the real control
// plane. The token is only ever on disk encrypted; kubectl without a terminal is told what to do;
// past the renewal point without a terminal the valid certificate is served and nothing hangs;
// logout --forget removes the encrypted file. The bundle setup read is named as a plain-text copy
// (status warns) until the user answers yes at setup's prompt.
import { mkdir, readdir, stat } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { admin, cluster, launcher, run, sleep, tempDir } from './cluster.js';
import { approveContinuously } from './provision.js';
import { runInPty } from './pty.js';
import { addUserWithBundle, cachedCertificate, filesContaining, pastDeadline, userEnv } from './token-storage-helpers.js';

jest.setTimeout(300_000);

const user = 'passphrase.pat';
const namespace = 'passphrase-users';
const adminArgs = ['--users-namespace', namespace, '--kubeconfig', cluster.adminKubeconfig];
const passphrase = 'Tr0ub4dor and horses';
let dir: string;
let home: string;
let bundle: string;
let token: string;
let stopApproving: () => Promise<void>;

beforeAll(async () => {
  const script = await run('sh', ['-c', 'command -v script']);
  if (script.code !== 0) throw new Error('the passphrase tests need script(1) from util-linux');
  dir = await tempDir('passphrase');
  home = path.join(dir, 'home');
  await mkdir(home);
  bundle = path.join(dir, 'pat.bundle');
  token = await addUserWithBundle(user, bundle, '720h', adminArgs);
  stopApproving = approveContinuously(user);
});
afterAll(async () => {
  await stopApproving?.();
  await run(launcher, ['admin', 'remove-user', user, ...adminArgs]);
});

const prompt = /passphrase for the token of profile "default" \(empty to skip\): \S*$/;

test('setup, kubectl at a terminal and without one, login, logout --forget: never a plain token on disk', async () => {
  const env = userEnv(home);
  const sealed = path.join(home, '.config', 'kube-csr-login', 'profiles', 'default.token.enc');
  const setup = await runInPty([launcher, 'setup', '--bundle', bundle, '--token-storage', 'passphrase', '--use-context'], env, [
    { after: /new passphrase for the token of profile "default" \(at least 8 characters\): \S*$/, type: passphrase },
    { after: /the same passphrase again: \S*$/, type: passphrase },
    { after: /Remove it now\? \[y\/N\] \S*$/, type: 'n' },
  ]);
  expect(setup.transcript).toContain('The long-term token is kept in a file encrypted with your passphrase');
  // the bundle it read still holds the token, and says so; that token works on its own
  const copyText = `${bundle} still holds the token in plain text (now kept encrypted with your passphrase)`;
  expect(setup.transcript).toContain(`${copyText}. Remove it now? [y/N]`);
  expect(setup.transcript).toContain(`warning: ${copyText}: delete it (or run setup again with --remove-token-copy)`);
  expect(setup.transcript).toContain(`Warning: ${bundle} still holds the token in plain text.`);
  const leftover = await run(cluster.kubectl, ['--kubeconfig', bundle, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
  expect(leftover.stdout).toBe(`system:serviceaccount:${namespace}:${user}`);
  expect(setup.code).toBe(0);
  expect(setup.transcript).not.toContain(passphrase); // no echo
  expect((await stat(sealed)).mode & 0o777).toBe(0o600);
  const secretsOnDisk = async () => [...(await filesContaining([home, dir], token)), ...(await filesContaining([home, dir], passphrase))];
  expect(await secretsOnDisk()).toEqual([bundle]);
  // a working day: 8 h certificates by default in this mode
  const leaf = new X509Certificate(await cachedCertificate(home));
  expect(new Date(leaf.validTo).getTime() - new Date(leaf.validFrom).getTime()).toBeGreaterThan(7.9 * 3600_000);

  const kubectl = (args: string[]) => run(cluster.kubectl, args, { env, input: '' }); // stdin a pipe: not interactive
  const whoami = ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'];
  expect(await kubectl(whoami)).toMatchObject({ code: 0, stdout: user });

  // nothing cached and no terminal: one line saying what to do
  expect((await run(launcher, ['logout'], { env })).code).toBe(0);
  const refused = await kubectl(whoami);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain(
    'kube-csr-login: the token of profile "default" is encrypted and no terminal is there to ask its passphrase: run any kubectl command in a terminal, or kube-csr-login login --profile default',
  );

  // at a terminal: kubectl lends it to the plugin, which asks; a wrong passphrase is asked again
  const atTerminal = await runInPty([cluster.kubectl, ...whoami], env, [
    { after: prompt, type: 'not the passphrase' },
    { after: /wrong passphrase[\s\S]*passphrase for the token of profile "default" \(empty to skip\): \S*$/, type: passphrase },
  ]);
  expect(atTerminal.transcript).toContain(user);
  expect(atTerminal.code).toBe(0);
  expect(atTerminal.transcript).not.toMatch(/not the passphrase|Tr0ub4dor/);

  // past the renewal point without a terminal: the valid certificate is served, no renewal starts
  const before = await pastDeadline(home);
  const started = Date.now();
  expect(await kubectl(whoami)).toMatchObject({ code: 0, stdout: user });
  expect(Date.now() - started).toBeLessThan(10_000);
  await sleep(2000);
  expect(await cachedCertificate(home)).toBe(before);
  const cacheFiles = await readdir(path.join(home, '.cache', 'kube-csr-login', 'default'));
  expect(cacheFiles).not.toContain('background.log');

  // login renews now, asking once
  const login = await runInPty([launcher, 'login'], env, [{ after: prompt, type: passphrase }]);
  expect(login.transcript).toMatch(/profile "default": new certificate valid until \S+Z/);
  expect(login.code).toBe(0);
  expect(await cachedCertificate(home)).not.toBe(before);
  expect(await kubectl(whoami)).toMatchObject({ code: 0, stdout: user });

  const status = await run(launcher, ['status'], { env });
  expect(status.stdout).toMatch(/token {8}encrypted with a passphrase, expires \S+ \(in 29d 23h\)\n/);
  expect(status.stdout).toContain(`token copy   WARNING: ${bundle} still holds the token in plain text: delete it`);
  expect(status.stdout).not.toContain(token);
  expect(await secretsOnDisk()).toEqual([bundle]);

  // setup again at the terminal, this time answering yes: the bundle goes, status stops warning
  const again = await runInPty([launcher, 'setup', '--bundle', bundle, '--token-storage', 'passphrase'], env, [
    { after: /new passphrase for the token of profile "default" \(at least 8 characters\): \S*$/, type: passphrase },
    { after: /the same passphrase again: \S*$/, type: passphrase },
    { after: /Remove it now\? \[y\/N\] \S*$/, type: 'y' },
  ]);
  expect(again.transcript).toContain(`removed ${bundle} (unlinked`);
  expect(again.code).toBe(0);
  await expect(stat(bundle)).rejects.toThrow();
  expect(await secretsOnDisk()).toEqual([]);
  const quiet = JSON.parse((await run(launcher, ['status', '-o', 'json'], { env })).stdout);
  expect(quiet.profiles[0].plainTextCopies).toEqual([]);

  const forget = await run(launcher, ['logout', '--forget'], { env });
  expect(forget).toMatchObject({ code: 0, stdout: expect.stringContaining('token (encrypted file), CA and kubeconfig context') });
  await expect(stat(sealed)).rejects.toThrow();
  expect(await readdir(path.join(home, '.config', 'kube-csr-login', 'profiles'))).toEqual([]);
  expect(await admin('get', 'csr', `user=${user}`, '-o', 'name')).toContain(user);
});
