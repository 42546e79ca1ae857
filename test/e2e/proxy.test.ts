// The real API server reachable ONLY through a local CONNECT proxy: the bundle names it
// kcl-api.test (a SAN of its certificate, see test/cluster/up.sh), which resolves nowhere; the
// proxy in this test maps that name to the server's 127.0.0.1 port. setup, a renewal and the real
// kubectl must all go through it, once with HTTPS_PROXY and once with the bundle's proxy-url, and
// the proxy must relay only TLS (never the token).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { parse, stringify } from 'yaml';
import { type TestProxy, startConnectProxy, startsWithTlsHandshake } from '../helpers/proxies.js';
import { addUserArgs, cluster, launcher, run, tempDir } from './cluster.js';
import { approveContinuously } from './provision.js';

jest.setTimeout(240_000);

const user = 'proxy.pat';
const namespace = 'proxy-users';
let dir: string;
let bundle: string;
let token: string;
let proxy: TestProxy;
let hidden: string;
let stopApproving: () => Promise<void>;

/** No proxy from the machine running the tests: each test sets exactly what it means. */
const noProxyEnv = { HTTPS_PROXY: '', https_proxy: '', NO_PROXY: '', no_proxy: '', HTTP_PROXY: '', http_proxy: '' };

function env(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...noProxyEnv,
    KUBE_CSR_LOGIN_CONFIG_DIR: path.join(dir, name, 'config'),
    KUBE_CSR_LOGIN_CACHE_DIR: path.join(dir, name, 'cache'),
    KUBECONFIG: path.join(dir, name, 'kubeconfig'),
    ...extra,
  };
}

/** The admin's bundle, with the server renamed to the hidden name (and a proxy-url if given). */
async function hiddenBundle(name: string, proxyUrl?: string): Promise<string> {
  const doc = parse(await readFile(bundle, 'utf8'));
  doc.clusters[0].cluster.server = hidden;
  if (proxyUrl) doc.clusters[0].cluster['proxy-url'] = proxyUrl;
  const file = path.join(dir, `${name}.bundle`);
  await writeFile(file, stringify(doc), { mode: 0o600 });
  return file;
}

beforeAll(async () => {
  dir = await tempDir('proxy');
  bundle = path.join(dir, 'pat.bundle');
  const added = await run(launcher, addUserArgs(user, 'devs', namespace, bundle));
  if (added.code !== 0) throw new Error(`admin add-user failed: ${added.stderr}`);
  token = parse(await readFile(bundle, 'utf8')).users[0].user.token;
  const port = new URL(cluster.server).port;
  hidden = `https://kcl-api.test:${port}`;
  proxy = await startConnectProxy({ [`kcl-api.test:${port}`]: Number(port) });
  stopApproving = approveContinuously(user);
});
afterAll(async () => {
  await stopApproving();
  await proxy.close();
  await run(launcher, ['admin', 'remove-user', user, '--users-namespace', namespace, '--kubeconfig', cluster.adminKubeconfig]);
});

/** Everything the proxy relayed since `from` was TLS to kcl-api.test, without the token. */
function expectOnlyTlsSince(from: { targets: number; relayed: number }): void {
  const targets = proxy.targets.slice(from.targets);
  const relayed = proxy.relayed.slice(from.relayed);
  expect(targets.length).toBeGreaterThan(0);
  expect(new Set(targets)).toEqual(new Set([new URL(hidden).host]));
  for (const bytes of relayed) {
    expect(startsWithTlsHandshake(bytes)).toBe(true);
    expect(bytes.includes(token)).toBe(false);
  }
}

const mark = () => ({ targets: proxy.targets.length, relayed: proxy.relayed.length });

async function setupThenRenew(e: Record<string, string>, file: string): Promise<void> {
  const before = mark();
  const setup = await run(launcher, ['setup', '--bundle', file, '--use-context'], { env: e, input: '' });
  expect(setup.stderr).not.toContain('error');
  expect(setup).toMatchObject({ code: 0 });
  expect(setup.stdout).toContain(`as ${user} (groups: devs)`);
  const whoami = await run(cluster.kubectl, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], { env: e });
  expect(whoami).toMatchObject({ code: 0, stdout: user });
  const cached = await readFile(path.join(e.KUBE_CSR_LOGIN_CACHE_DIR ?? '', 'default', 'credential.json'), 'utf8');

  // a renewal (blocking: the cache is cleared), then kubectl with the new certificate
  expect((await run(launcher, ['logout'], { env: e })).code).toBe(0);
  const renewed = await run(cluster.kubectl, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], { env: e });
  expect(renewed).toMatchObject({ code: 0, stdout: user });
  expect(await readFile(path.join(e.KUBE_CSR_LOGIN_CACHE_DIR ?? '', 'default', 'credential.json'), 'utf8')).not.toBe(cached);
  expectOnlyTlsSince(before);
}

describe('an API server reachable only through a CONNECT proxy', () => {
  test('with HTTPS_PROXY: setup, a renewal and kubectl go through the proxy; without it nothing works', async () => {
    const file = await hiddenBundle('env');
    const unproxied = await run(launcher, ['setup', '--bundle', file], { env: env('none'), input: '' });
    expect(unproxied.code).toBe(12); // unreachable: the name resolves nowhere
    await setupThenRenew(env('env', { HTTPS_PROXY: proxy.url }), file);
    const direct = await run(cluster.kubectl, ['auth', 'whoami'], { env: env('env') });
    expect(direct.code).not.toBe(0);
  });

  test('with the bundle proxy-url: kept in the profile and the kubeconfig cluster; the same flow', async () => {
    const e = env('url');
    await setupThenRenew(e, await hiddenBundle('url', proxy.url));
    const profile = JSON.parse(await readFile(path.join(e.KUBE_CSR_LOGIN_CONFIG_DIR ?? '', 'profiles', 'default.json'), 'utf8'));
    expect(profile).toMatchObject({ server: hidden, proxyUrl: proxy.url });
    const kubeconfig = parse(await readFile(e.KUBECONFIG ?? '', 'utf8'));
    expect(kubeconfig.clusters[0].cluster).toMatchObject({ server: hidden, 'proxy-url': proxy.url });
  });
});
