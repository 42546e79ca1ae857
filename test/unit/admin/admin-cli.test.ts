// The admin command's edge: flags to requests, one stderr line and an exit code per failure (bad
// names, unknown flags, no kubeconfig, an unreachable cluster, rejected credentials), and a full
// add-user / list-users / remove-user round through a kubeconfig against the HTTPS fake.
import { afterEach, describe, expect, test } from '@jest/globals';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exitCodes } from '../../../src/errors.js';
import { runCli } from '../../../src/cli/main.js';
import { captureEdge } from '../../helpers/edge.js';
import { type FakeApi, startFakeApi } from '../../helpers/fake-api.js';
import { createObjectStore } from './object-store.js';
import { startConnectProxy, startsWithTlsHandshake } from '../../helpers/proxies.js';
import { tempDir } from '../../helpers/temp-dirs.js';

let api: FakeApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const edge = captureEdge({ HOME: '/nonexistent-home', ...env });
  const code = await runCli(['admin', ...args], edge);
  return { code, stdout: edge.out.join(''), stderr: edge.err.join('') };
}

async function kubeconfig(dir: string, server: string, caPem: string, token: string): Promise<string> {
  const file = join(dir, 'admin.kubeconfig');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'admin@fake', context: { cluster: 'fake', user: 'admin' } }],
    'current-context': 'admin@fake',
  };
  await writeFile(file, JSON.stringify(config));
  return file;
}

describe('admin command line', () => {
  test.each([
    [['add-user', 'Jean', '--groups', 'devs'], 'invalid user name "Jean"'],
    [['add-user', 'jean', '--groups', 'system:masters'], 'system: groups are reserved'],
    [['add-user', 'jean'], '--groups a,b is required'],
    [['add-user', 'jean', 'ann', '--groups', 'devs'], 'give exactly one user NAME'],
    [['add-user', 'jean', '--groups', 'devs', '--colour'], "admin add-user: Unknown option '--colour'"],
    [['add-user', 'jean', '--groups', 'devs', '-o', 'yaml'], '-o yaml goes with --dry-run'],
    [['add-user', 'jean', '--groups', 'devs', '--users-namespace', 'a.b'], 'invalid namespace "a.b"'],
    [['add-user', 'jean', '--groups', 'devs', '--token-duration', '5m', '--bundle', 'x'], 'at least 10m'],
    [['add-user', 'jean', '--groups', 'devs', '--token-duration', '1h'], '--token-duration needs --bundle FILE'],
    [['add-user', 'jean', '--groups', 'devs', '--server', 'http://x', '--bundle', 'x'], '--server must be an https:// URL'],
    [['remove-user'], 'give exactly one user NAME'],
    [['list-users', '-o', 'yaml'], '-o must be json or table'],
    [['list-users', '--groups', 'x'], "Unknown option '--groups'"],
    [['rename-user'], 'unknown subcommand "rename-user"'],
  ])('%j is a usage error', async (args, message) => {
    const result = await cli(args);
    expect(result).toMatchObject({ code: exitCodes.usage, stdout: '' });
    expect(result.stderr).toContain(message);
    expect(result.stderr.split('\n')).toHaveLength(2);
  });

  test('--dry-run -o yaml prints the objects without a cluster', async () => {
    const result = await cli(['add-user', 'jean', '--groups', 'devs', '--dry-run', '-o', 'yaml', '--kubeconfig', '/nonexistent']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('kind: ClusterRoleBinding');
  });

  test('a missing kubeconfig, an unreachable cluster and rejected credentials are one clear line each', async () => {
    const dir = await tempDir('kcl-admin-cli');
    const missing = await cli(['list-users', '--kubeconfig', join(dir, 'nope')]);
    expect(missing).toMatchObject({ code: exitCodes.config, stderr: expect.stringContaining('could not load the kubeconfig') });

    api = await startFakeApi({ token: 'right-token' });
    const closed = await kubeconfig(dir, 'https://127.0.0.1:1', api.caPem, 'right-token');
    const unreachable = await cli(['remove-user', 'jean', '--kubeconfig', closed]);
    expect(unreachable).toMatchObject({
      code: exitCodes.unreachable,
      stderr: expect.stringContaining('cannot reach the API server at 127.0.0.1:1'),
    });

    const noContext = await cli(['list-users', '--kubeconfig', closed, '--context', 'nope']);
    expect(noContext).toMatchObject({ code: exitCodes.config, stderr: 'kube-csr-login: the kubeconfig has no context "nope"\n' });

    const wrong = await kubeconfig(dir, api.url, api.caPem, 'wrong-token');
    const rejected = await cli(['list-users', '--kubeconfig', wrong]);
    expect(rejected).toMatchObject({
      code: exitCodes.unauthorized,
      stderr:
        "kube-csr-login: could not list the ServiceAccounts in namespace users: the API server rejected the kubeconfig's credentials (401 Unauthorized)\n",
    });
  }, 30_000); // the first test here to load @kubernetes/client-node: 4 s alone, more on a busy machine

  test('add-user --bundle, list-users -o json, remove-user through a kubeconfig; the token is never printed', async () => {
    const dir = await tempDir('kcl-admin-cli');
    const store = createObjectStore({ fillAfterGets: 1, secretToken: 'secret.token-42' });
    api = await startFakeApi({
      token: 'right-token',
      routes: (request) =>
        request.path === '/apis/certificates.k8s.io/v1/certificatesigningrequests'
          ? { status: 200, body: { items: [] } }
          : store.routes(request),
    });
    const config = await kubeconfig(dir, api.url, api.caPem, 'right-token');
    const bundle = join(dir, 'jean.bundle');
    const added = await cli(['add-user', 'jean', '--groups', 'devs, ops', '--kubeconfig', config, '--bundle', bundle]);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toContain('user jean (groups: devs, ops) in namespace users:');
    expect(added.stdout).toContain(`jean runs: kube-csr-login setup --bundle ${bundle}`);
    expect(added.stdout).not.toContain('secret.token-42');
    expect((await stat(bundle)).mode & 0o777).toBe(0o600);
    expect(await readFile(bundle, 'utf8')).toContain('token: secret.token-42');

    const listed = await cli(['list-users', '-o', 'json', '--kubeconfig', config]);
    expect(JSON.parse(listed.stdout)).toEqual({
      namespace: 'users',
      users: [
        {
          name: 'jean',
          groups: ['devs', 'ops'],
          csr: null,
          certificateExpires: null,
          credentialId: null,
          lastRenewal: null,
          tokenLastUsed: null,
        },
      ],
    });

    const removed = await cli(['remove-user', 'jean', '--kubeconfig', config]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('removed   ServiceAccount users/jean');
    expect((await cli(['list-users', '--kubeconfig', config])).stdout).toBe('no kube-csr-login users in namespace users\n');
  });

  test("admin requests take the cluster's proxy-url, else HTTPS_PROXY unless NO_PROXY matches (Go's rules)", async () => {
    const dir = await tempDir('kcl-admin-cli');
    const store = createObjectStore({});
    api = await startFakeApi({
      token: 'right-token',
      routes: (request) =>
        request.path === '/apis/certificates.k8s.io/v1/certificatesigningrequests'
          ? { status: 200, body: { items: [] } }
          : store.routes(request),
    });
    const port = new URL(api.url).port;
    const proxy = await startConnectProxy({ [`kcl-api.test:${port}`]: Number(port) });
    try {
      const hidden = await kubeconfig(dir, `https://kcl-api.test:${port}`, api.caPem, 'right-token');
      const withUrl = join(dir, 'proxy-url.kubeconfig');
      const doc = JSON.parse(await readFile(hidden, 'utf8'));
      doc.clusters[0].cluster['proxy-url'] = proxy.url;
      await writeFile(withUrl, JSON.stringify(doc));
      expect(await cli(['list-users', '--kubeconfig', withUrl])).toMatchObject({ code: 0, stderr: '' });
      const afterUrl = proxy.targets.length;
      expect(afterUrl).toBeGreaterThan(0);
      expect(await cli(['list-users', '--kubeconfig', hidden], { HTTPS_PROXY: proxy.url })).toMatchObject({ code: 0, stderr: '' });
      expect(proxy.targets.length).toBeGreaterThan(afterUrl);
      expect(proxy.relayed.every((bytes) => startsWithTlsHandshake(bytes) && !bytes.includes('right-token'))).toBe(true);
      const bypassed = await cli(['list-users', '--kubeconfig', hidden], { HTTPS_PROXY: proxy.url, NO_PROXY: '.test' });
      expect(bypassed.code).toBe(exitCodes.unreachable);
    } finally {
      await proxy.close();
    }
  });
});
