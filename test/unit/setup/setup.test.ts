// setup's decisions before and around the network: bundle parsing, the token's identity, groups,
// profile conflicts, and that nothing is written until the API server has accepted the token.
// (Against the real control plane: test/e2e/setup.test.ts.)
import { testTokenDeps } from '../../helpers/setup-deps.js';
import { kubectlWithoutKuberc } from '../../helpers/kubectl-environment.js';
import { describe, expect, test } from '@jest/globals';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { KclError } from '../../../src/errors.js';
import type { ApiClient, ApiRequest } from '../../../src/kube/http.js';
import { readProfile } from '../../../src/profile/profile.js';
import { forgetProfile } from '../../../src/profile/forget.js';
import { parseLoginBundle } from '../../../src/setup/login-input.js';
import { setupFiles } from '../../../src/profile/save-profile.js';
import { type SetupDeps, setup } from '../../../src/setup/setup.js';
import { tokenSha256 } from '../../../src/token/token-source.js';
import { tempDir } from '../../helpers/temp-dirs.js';

/** Every file under dir, recursively. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

const caPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const login = { server: 'https://dev.example:6443', certificateAuthorityPem: caPem, token: 'tok.en-123', clusterName: 'dev' };
const notAfter = new Date('2026-11-28T12:00:00Z');

type Route = (request: ApiRequest) => unknown;

function api(routes: Record<string, Route>): ApiClient {
  return {
    json: async (request) => {
      const route = routes[`${request.method} ${request.path}`];
      if (!route) throw new KclError('notFound', `not found (404): ${request.path}`);
      return route(request);
    },
    stream: async () => {
      throw new Error('no streams');
    },
  };
}

const serviceAccount = (groups: string | undefined) => () => ({
  metadata: {
    name: 'jean.doe',
    namespace: 'users',
    uid: 'u1',
    ...(groups === undefined ? {} : { annotations: { 'kube-csr-login.io/groups': groups } }),
  },
});
const review = (username: string) => () => ({ status: { userInfo: { username, groups: ['system:serviceaccounts'] } } });
const routes = (groups: string | undefined, username = 'system:serviceaccount:users:jean.doe'): Record<string, Route> => ({
  'POST /apis/authentication.k8s.io/v1/selfsubjectreviews': review(username),
  'GET /api/v1/namespaces/users/serviceaccounts/jean.doe': serviceAccount(groups),
});

async function harness(client: ApiClient) {
  const dir = await tempDir('kcl-setup');
  const kubeconfig = join(dir, 'kube', 'config');
  const logins: string[] = [];
  const deps: SetupDeps = {
    configDir: join(dir, 'config'),
    kubeconfigFiles: [kubeconfig],
    exec: { command: '/opt/kcl/bin/kube-csr-login' },
    installHint: 'install kube-csr-login',
    kubectl: kubectlWithoutKuberc(join(dir, 'kube')),
    openTokenApi: () => client,
    firstLogin: async (profile) => {
      logins.push(profile);
      return { username: 'jean.doe', groups: ['devs', 'system:authenticated'], notAfter };
    },
    progress: () => undefined,
    confirm: async () => false,
    tokens: testTokenDeps(),
  };
  return { dir, kubeconfig, deps, logins };
}

const request = { profile: 'default', login, useContext: true };

describe('setup', () => {
  test('stores token and CA (0600), writes profile and kubeconfig, then logs in; twice changes nothing', async () => {
    const h = await harness(api(routes('ops, devs')));
    const outcome = await setup(h.deps, request);
    expect(outcome.groups).toEqual(['devs', 'ops']);
    expect(outcome.kubeconfig).toEqual({ cluster: 'dev', user: 'jean.doe@dev', context: 'jean.doe@dev', clusterAdded: true });
    const profile = await readProfile(h.deps.configDir, 'default');
    expect(profile).toMatchObject({
      server: login.server,
      user: 'jean.doe',
      groups: ['devs', 'ops'],
      kubeconfig: { files: [h.kubeconfig], clusterAdded: true },
    });
    expect((await readFile(profile?.tokenFile ?? '', 'utf8')).trim()).toBe(login.token);
    expect((await stat(profile?.tokenFile ?? '')).mode & 0o777).toBe(0o600);
    const config = parse(await readFile(h.kubeconfig, 'utf8'));
    expect(config['current-context']).toBe('jean.doe@dev');
    expect(config.users[0].user.exec).toMatchObject({
      command: '/opt/kcl/bin/kube-csr-login',
      args: ['get-credential', '--profile', 'default'],
      provideClusterInfo: true,
    });
    expect(Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(caPem);
    const before = await Promise.all([h.kubeconfig, profile?.tokenFile ?? ''].map((f) => stat(f)));
    await setup(h.deps, request);
    const after = await Promise.all([h.kubeconfig, profile?.tokenFile ?? ''].map((f) => stat(f)));
    expect(after.map((s) => s.mtimeMs)).toEqual(before.map((s) => s.mtimeMs));
    expect((await readProfile(h.deps.configDir, 'default'))?.kubeconfig?.clusterAdded).toBe(true);
    expect(h.logins).toEqual(['default', 'default']);
  });

  test('forget removes what setup wrote and keeps the rest of kubeconfig', async () => {
    const h = await harness(api(routes('devs')));
    await setup(h.deps, request);
    expect(await forgetProfile(h.deps.configDir, 'default', h.deps.tokens)).toEqual({
      profile: 'default',
      tokenStorage: 'file',
      context: 'jean.doe@dev',
    });
    const config = parse(await readFile(h.kubeconfig, 'utf8'));
    expect([config.clusters, config.users, config.contexts]).toEqual([[], [], []]);
    expect(await readdir(join(h.deps.configDir, 'profiles'))).toEqual([]);
    expect(await forgetProfile(h.deps.configDir, 'default', h.deps.tokens)).toBeUndefined();
  });

  test('--token-storage passphrase: no plain token in the config dir; a rerun keeps the storage; switching removes the old copy', async () => {
    const h = await harness(api(routes('devs')));
    const files = setupFiles(h.deps.configDir, 'default');
    const allText = async () => (await Promise.all((await listFiles(h.deps.configDir)).map((f) => readFile(f, 'utf8')))).join('\n');
    await setup(h.deps, request);
    expect(await allText()).toContain(login.token);
    await setup(h.deps, { ...request, tokenStorage: 'passphrase', expirationSeconds: 4 * 3600 });
    const profile = await readProfile(h.deps.configDir, 'default');
    expect(profile?.tokenFile).toBeUndefined();
    expect(profile).toMatchObject({
      expirationSeconds: 4 * 3600,
      tokenStore: { storage: 'passphrase', file: files.sealedToken, sha256: tokenSha256(login.token) },
    });
    expect(await allText()).not.toContain(login.token);
    expect((await stat(files.sealedToken)).mode & 0o777).toBe(0o600);
    await expect(stat(files.token)).rejects.toThrow();
    await setup(h.deps, request);
    expect((await readProfile(h.deps.configDir, 'default'))?.tokenStore?.storage).toBe('passphrase');
    await setup(h.deps, { ...request, tokenStorage: 'file' });
    await expect(stat(files.sealedToken)).rejects.toThrow();
    expect((await readProfile(h.deps.configDir, 'default'))?.tokenFile).toBe(files.token);
    await setup(h.deps, { ...request, tokenStorage: 'passphrase' });
    expect(await forgetProfile(h.deps.configDir, 'default', h.deps.tokens)).toMatchObject({ tokenStorage: 'passphrase' });
    expect(await listFiles(h.deps.configDir)).toEqual([]);
  });

  test('--token-storage passphrase without a terminal (or with differing entries) writes nothing', async () => {
    const h = await harness(api(routes('devs')));
    const { newPassphrase: _n, ...noTerminal } = h.deps.tokens;
    await expect(setup({ ...h.deps, tokens: noTerminal }, { ...request, tokenStorage: 'passphrase' })).rejects.toMatchObject({
      code: 'passphraseRequired',
    });
    const refused = async () => {
      throw new KclError('usage', 'the two passphrases differ: nothing was written');
    };
    await expect(
      setup({ ...h.deps, tokens: { ...h.deps.tokens, newPassphrase: refused } }, { ...request, tokenStorage: 'passphrase' }),
    ).rejects.toMatchObject({ code: 'usage' });
    expect(await listFiles(h.dir)).toEqual([]);
  });

  test('a token that is not a ServiceAccount, or rejected, writes nothing', async () => {
    for (const [client, code, message] of [
      [api(routes('devs', 'kubernetes-admin')), 'config', 'not to a ServiceAccount'],
      [
        api({
          'POST /apis/authentication.k8s.io/v1/selfsubjectreviews': () => {
            throw new KclError('unauthorized', 'unauthorized (401)');
          },
        }),
        'unauthorized',
        'rejected the login token',
      ],
      [
        api({
          'POST /apis/authentication.k8s.io/v1/selfsubjectreviews': () => {
            throw new KclError('unreachable', 'connection refused');
          },
        }),
        'unreachable',
        'could not check the login token',
      ],
    ] as const) {
      const h = await harness(client);
      const error = await setup(h.deps, request).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KclError);
      expect(error).toMatchObject({ code });
      expect((error as Error).message).toContain(message);
      expect((error as Error).message).not.toContain(login.token);
      expect(await readdir(h.dir)).toEqual([]);
    }
  });

  test('groups: annotation unreadable needs --groups; --groups must be allowed', async () => {
    const unreadable = {
      'POST /apis/authentication.k8s.io/v1/selfsubjectreviews': review('system:serviceaccount:users:jean.doe'),
      'GET /api/v1/namespaces/users/serviceaccounts/jean.doe': () => {
        throw new KclError('forbidden', 'permission denied (403)');
      },
    };
    let h = await harness(api(unreadable));
    await expect(setup(h.deps, request)).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('pass --groups') });
    expect((await setup(h.deps, { ...request, groups: ['devs'] })).groups).toEqual(['devs']);
    h = await harness(api(routes('devs')));
    await expect(setup(h.deps, { ...request, groups: ['admins'] })).rejects.toMatchObject({
      code: 'usage',
      message: expect.stringContaining('admins not allowed'),
    });
  });

  test('a profile set up for another cluster is not overwritten', async () => {
    const h = await harness(api(routes('devs')));
    await setup(h.deps, request);
    const other = { ...request, login: { ...login, server: 'https://prod.example:6443' } };
    await expect(setup(h.deps, other)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('--profile') });
  });

  test("the bundle's proxy-url and tls-server-name reach the login, the profile and the kubeconfig cluster", async () => {
    const h = await harness(api(routes('devs')));
    const seen: Array<{ proxyUrl?: string; tlsServerName?: string }> = [];
    h.deps.openTokenApi = (connection) => (seen.push(connection), api(routes('devs')));
    h.deps.firstLogin = async (_profile, connection) => (seen.push(connection), { username: 'jean.doe', groups: ['devs'], notAfter });
    const network = { proxyUrl: 'http://proxy.corp:3128', tlsServerName: 'kubernetes.default' };
    await setup(h.deps, { ...request, login: { ...login, ...network } });
    expect(seen).toEqual([expect.objectContaining(network), expect.objectContaining(network)]);
    expect(await readProfile(h.deps.configDir, 'default')).toMatchObject(network);
    const config = parse(await readFile(h.kubeconfig, 'utf8'));
    expect(config.clusters[0].cluster).toMatchObject({ 'proxy-url': network.proxyUrl, 'tls-server-name': network.tlsServerName });
  });

  test('kuberc: the verdict is reported; --allow-in-kuberc edits it, or refuses before writing anything', async () => {
    const h = await harness(api(routes('devs')));
    const kuberc = join(h.dir, 'kube', 'kuberc');
    await mkdir(join(h.dir, 'kube'), { recursive: true });
    const denyAll = 'apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\ncredentialPluginPolicy: DenyAll\n';
    await writeFile(kuberc, `${denyAll.replace('DenyAll', 'Allowlist')}credentialPluginAllowlist: []\n`);
    await expect(setup(h.deps, { ...request, allowInKuberc: true })).rejects.toThrow(/^not editing .*credentialPluginAllowlist is empty/);
    expect(await listFiles(h.dir)).toEqual([kuberc]);
    await writeFile(kuberc, denyAll);
    const denied = await setup(h.deps, request);
    expect(denied.kubectl.access.verdicts.map((v) => v.outcome)).toEqual(['denied', 'denied']);
    expect(await readFile(kuberc, 'utf8')).toBe(denyAll);
    const allowed = await setup(h.deps, { ...request, allowInKuberc: true });
    expect(allowed.kubectl.access.verdicts.map((v) => v.outcome)).toEqual(['allowed', 'allowed']);
    expect(allowed.kubectl.changes).toHaveLength(2);
    expect(await readFile(kuberc, 'utf8')).toContain('- name: /opt/kcl/bin/kube-csr-login\n');
  });

  test('a failed first certificate keeps the setup and says so', async () => {
    const h = await harness(api(routes('devs')));
    h.deps.firstLogin = async () => {
      throw new KclError('timeout', 'timed out waiting for CSR user=jean.doe to be approved');
    };
    await expect(setup(h.deps, request)).rejects.toMatchObject({
      code: 'timeout',
      message: expect.stringMatching(/saved profile "default" .*to be approved/),
    });
    expect(await readProfile(h.deps.configDir, 'default')).toMatchObject({ user: 'jean.doe' });
  });
});

describe('login bundle', () => {
  const bundle = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'dev', cluster: { server: login.server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: 'jean.doe', user: { token: login.token } }],
    contexts: [{ name: 'jean.doe@dev', context: { cluster: 'dev', user: 'jean.doe' } }],
    'current-context': 'jean.doe@dev',
  };

  test('reads server, CA, token and cluster name', () => {
    expect(parseLoginBundle(stringify(bundle), 'b.yaml')).toEqual(login);
    const { contexts: _c, 'current-context': _cc, ...single } = bundle;
    expect(parseLoginBundle(stringify(single), 'b.yaml')).toEqual(login);
  });

  test('keeps proxy-url and tls-server-name; refuses a proxy scheme client-go and we cannot both use', () => {
    const withNetwork = (extra: object) =>
      stringify({ ...bundle, clusters: [{ name: 'dev', cluster: { ...bundle.clusters[0]?.cluster, ...extra } }] });
    expect(parseLoginBundle(withNetwork({ 'proxy-url': 'socks5://proxy:1080', 'tls-server-name': 'api' }), 'b.yaml')).toEqual({
      ...login,
      proxyUrl: 'socks5://proxy:1080',
      tlsServerName: 'api',
    });
    expect(() => parseLoginBundle(withNetwork({ 'proxy-url': 'https://proxy:3128' }), 'b.yaml')).toThrow('use http:// or socks5://');
  });

  test('malformed bundles give a config error without the token', () => {
    const cases = [
      'not: [yaml',
      '- a list',
      stringify({ ...bundle, clusters: [] }),
      stringify({ ...bundle, 'current-context': 'other' }),
      stringify({ ...bundle, users: [{ name: 'jean.doe', user: { token: 'two words' } }] }),
      stringify({
        ...bundle,
        clusters: [{ name: 'dev', cluster: { server: 'http://dev.example', 'certificate-authority-data': 'eA==' } }],
      }),
      stringify({ ...bundle, clusters: [{ name: 'dev', cluster: { server: login.server, 'certificate-authority-data': 'bm8gcGVt' } }] }),
      'a: &a [*a]',
    ];
    for (const text of cases) {
      let error: unknown;
      try {
        parseLoginBundle(text, 'b.yaml');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(KclError);
      expect((error as KclError).code).toBe('config');
      expect((error as Error).message).not.toContain('two words');
    }
  });
});
