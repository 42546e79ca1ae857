// The exec plugin end to end: real kube-apiserver + etcd + kube-controller-manager (csrsigning),
// real kubectl running bin/kube-csr-login from a kubeconfig exec stanza.
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { admin, cluster, installedKubectl, run, tempDir, writeUserKubeconfig } from './cluster.js';
import { type ProvisionedUser, approveContinuously, provisionUser } from './provision.js';
import { expiredCopy } from './expired-certificate.js';
import { pluginArgs } from '../helpers/plugin-args.js';

jest.setTimeout(180_000);

let dir: string;
let jean: ProvisionedUser;
let stopApproving: () => Promise<void>;

beforeAll(async () => {
  dir = await tempDir('plugin');
  jean = await provisionUser(dir, 'jean.doe', ['devs']);
  stopApproving = approveContinuously('jean.doe');
});
afterAll(async () => {
  await stopApproving();
});

function stanzaArgs(user: ProvisionedUser, extra: string[] = []): string[] {
  return pluginArgs(
    { server: cluster.server, caFile: cluster.caFile, tokenFile: user.tokenFile, user: user.name, groups: user.groups },
    ...extra,
  );
}

async function kubectlAs(kubeconfig: string, args: string[], kubectl = cluster.kubectl) {
  return run(kubectl, ['--kubeconfig', kubeconfig, ...args]);
}

describe('kubectl with the exec stanza', () => {
  const cacheDir = () => path.join(dir, 'cache-v1');
  const kubeconfig = () => path.join(dir, 'v1.kubeconfig');

  test('auth whoami shows the user and groups of the CSR; get pods is forbidden', async () => {
    await writeUserKubeconfig(kubeconfig(), { args: stanzaArgs(jean), env: { KUBE_CSR_LOGIN_CACHE_DIR: cacheDir() } });
    const whoami = await kubectlAs(kubeconfig(), ['auth', 'whoami', '-o', 'json']);
    expect(whoami.stderr).toBe('');
    const info = JSON.parse(whoami.stdout).status.userInfo;
    expect(info.username).toBe('jean.doe');
    expect(info.groups).toEqual(expect.arrayContaining(['devs', 'system:authenticated']));
    const pods = await kubectlAs(kubeconfig(), ['get', 'pods', '-n', 'default']);
    expect(pods.code).not.toBe(0);
    expect(pods.stderr).toContain('Forbidden');
    expect((await stat(path.join(cacheDir(), 'default', 'credential.json'))).mode & 0o777).toBe(0o600);
  });

  test('a second call is served from the cache without a new CSR', async () => {
    const before = await readFile(path.join(cacheDir(), 'default', 'credential.json'), 'utf8');
    await admin('delete', 'csr', 'user=jean.doe', '--ignore-not-found');
    const whoami = await kubectlAs(kubeconfig(), ['auth', 'whoami']);
    expect(whoami.code).toBe(0);
    expect(await readFile(path.join(cacheDir(), 'default', 'credential.json'), 'utf8')).toBe(before);
    expect(await admin('get', 'csr', 'user=jean.doe', '--ignore-not-found', '-o', 'name')).toBe('');
  });

  test('an installed older kubectl (v1.33) works with the same stanza and cache', async () => {
    const whoami = await kubectlAs(kubeconfig(), ['auth', 'whoami', '-o', 'json'], installedKubectl);
    expect(whoami.code).toBe(0);
    expect(JSON.parse(whoami.stdout).status.userInfo.username).toBe('jean.doe');
  });

  test('an expired certificate is renewed before kubectl proceeds', async () => {
    const file = path.join(cacheDir(), 'default', 'credential.json');
    const before = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify(await expiredCopy(before)), { mode: 0o600 });
    await writeFile(path.join(cacheDir(), 'default', 'exec-credential'), ''); // drop the fast path
    const whoami = await kubectlAs(kubeconfig(), ['auth', 'whoami']);
    expect(whoami.code).toBe(0);
    const after = JSON.parse(await readFile(file, 'utf8'));
    expect(after.certificateChainPem).not.toBe(before.certificateChainPem);
    expect(after.privateKeyPem).not.toBe(before.privateKeyPem);
  });

  test('past the renewal point kubectl is served at once and the certificate renews in the background', async () => {
    const bgCache = path.join(dir, 'cache-bg');
    const bgConfig = path.join(dir, 'bg.kubeconfig');
    // A 600 s certificate renewed at 1 % of its lifetime: the deadline has passed when it arrives.
    await writeUserKubeconfig(bgConfig, {
      args: stanzaArgs(jean, ['--expiration', '600s', '--renew-window', '1']),
      env: { KUBE_CSR_LOGIN_CACHE_DIR: bgCache },
    });
    expect((await kubectlAs(bgConfig, ['auth', 'whoami'])).code).toBe(0);
    const file = path.join(bgCache, 'default', 'credential.json');
    const first = await readFile(file, 'utf8');
    expect((await kubectlAs(bgConfig, ['auth', 'whoami'])).code).toBe(0);
    let renewed = false;
    for (let i = 0; i < 100 && !renewed; i += 1) {
      await new Promise((r) => setTimeout(r, 200));
      renewed = (await readFile(file, 'utf8')) !== first;
    }
    expect(renewed).toBe(true);
  });

  test('a v1beta1 stanza is answered in v1beta1', async () => {
    const betaConfig = path.join(dir, 'v1beta1.kubeconfig');
    await writeUserKubeconfig(betaConfig, {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      args: stanzaArgs(jean),
      env: { KUBE_CSR_LOGIN_CACHE_DIR: cacheDir() },
    });
    for (const kubectl of [cluster.kubectl, installedKubectl]) {
      const whoami = await kubectlAs(betaConfig, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], kubectl);
      expect(whoami.stderr).toBe('');
      expect(whoami.stdout).toBe('jean.doe');
    }
  });
});

describe('refusals', () => {
  test('a denied CSR fails kubectl with the reason, and backs off', async () => {
    const user = await provisionUser(dir, 'denied.user', ['devs']);
    const stop = approveContinuously('denied.user', 'deny');
    try {
      const config = path.join(dir, 'denied.kubeconfig');
      await writeUserKubeconfig(config, { args: stanzaArgs(user), env: { KUBE_CSR_LOGIN_CACHE_DIR: path.join(dir, 'cache-denied') } });
      const result = await kubectlAs(config, ['auth', 'whoami']);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('CSR user=denied.user was denied');
      const again = await kubectlAs(config, ['auth', 'whoami']);
      expect(again.stderr).toContain('not retrying before');
    } finally {
      await stop();
    }
  });

  test('a revoked token fails with a clear message and leaks nothing', async () => {
    const user = await provisionUser(dir, 'revoked.user', ['devs']);
    await admin('delete', 'secret', '-n', 'users', 'revoked.user-token');
    const config = path.join(dir, 'revoked.kubeconfig');
    await writeUserKubeconfig(config, { args: stanzaArgs(user), env: { KUBE_CSR_LOGIN_CACHE_DIR: path.join(dir, 'cache-revoked') } });
    let result = await kubectlAs(config, ['auth', 'whoami']);
    for (let i = 0; i < 20 && !result.stderr.includes('401'); i += 1) {
      // token invalidation follows the Secret deletion through the apiserver's cache: give it a moment
      await new Promise((r) => setTimeout(r, 500));
      await run('rm', ['-rf', path.join(dir, 'cache-revoked')]);
      result = await kubectlAs(config, ['auth', 'whoami']);
    }
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('ask your admin for a new token');
    expect(result.stderr).not.toContain(user.token);
    expect(result.stdout).toBe('');
  });
});
