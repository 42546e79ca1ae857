// The long-term token never goes to a server other than the one it was set up for. Real kubectl is
// pointed with --server at a fake HTTPS server that records every request's headers, with and
// without --insecure-skip-tls-verify, through the profile stanza setup writes and through a
// flags-only stanza; each time on an empty cache, so the plugin must renew: it renews against the
// real API server, and the fake sees no Authorization header in any mode.
import { rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { createCa, serverCertificate } from '../helpers/pki.js';
import { addUserArgs, cluster, launcher, run, tempDir, writeUserKubeconfig } from './cluster.js';
import { approveContinuously, provisionUser, type ProvisionedUser } from './provision.js';
import { pluginArgs } from '../helpers/plugin-args.js';

jest.setTimeout(180_000);

const user = 'foreign.fay';
let dir: string;
let flagsUser: ProvisionedUser;
let stopApproving: Array<() => Promise<void>> = [];
let fake: { url: string; caFile: string; headers: Array<Record<string, string | string[] | undefined>>; close: () => Promise<void> };

async function startRecordingServer(): Promise<typeof fake> {
  const ca = await createCa('foreign-ca');
  const tls = await serverCertificate(ca);
  const headers: (typeof fake)['headers'] = [];
  const server = https.createServer(
    { cert: tls.certificatePem, key: tls.keyPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      headers.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"kind":"APIVersions","versions":["v1"]}');
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const caFile = path.join(dir, 'foreign-ca.crt');
  await writeFile(caFile, ca.certificatePem);
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caFile,
    headers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const env = () => ({
  KUBE_CSR_LOGIN_CONFIG_DIR: path.join(dir, 'config'),
  KUBE_CSR_LOGIN_CACHE_DIR: path.join(dir, 'cache'),
  KUBECONFIG: path.join(dir, 'kubeconfig'),
});

beforeAll(async () => {
  dir = await tempDir('foreign');
  fake = await startRecordingServer();
  const bundle = path.join(dir, 'fay.bundle');
  const added = await run(launcher, addUserArgs(user, 'devs', 'foreign-users', bundle));
  if (added.code !== 0) throw new Error(`admin add-user failed: ${added.stderr}`);
  stopApproving.push(approveContinuously(user));
  const setup = await run(launcher, ['setup', '--bundle', bundle, '--use-context'], { env: env(), input: '' });
  if (setup.code !== 0) throw new Error(`setup failed: ${setup.stderr}`);
  flagsUser = await provisionUser(dir, 'foreign.flo', ['devs'], 'foreign-users');
  stopApproving.push(approveContinuously(flagsUser.name));
});
afterAll(async () => {
  await Promise.all(stopApproving.map((stop) => stop()));
  stopApproving = [];
  await fake.close();
  await run(launcher, ['admin', 'remove-user', user, '--users-namespace', 'foreign-users', '--kubeconfig', cluster.adminKubeconfig]);
});

const modes: Array<[string, string[]]> = [
  ['with --insecure-skip-tls-verify', ['--insecure-skip-tls-verify']],
  ["verifying the foreign server's own CA", ['--certificate-authority']],
];

function pointAtFake(flags: string[]): string[] {
  return [
    '--server',
    fake.url,
    ...flags.flatMap((f) => (f === '--certificate-authority' ? [f, fake.caFile] : [f])),
    'get',
    '--raw',
    '/api',
  ];
}

/** Authorization headers the fake received since request number `from`. */
function authorizations(from: number): string[] {
  return fake.headers
    .slice(from)
    .map((h) => h.authorization)
    .filter((a): a is string => typeof a === 'string');
}

describe('kubectl --server pointing elsewhere', () => {
  test.each(modes)('profile stanza (setup), %s: no Authorization reaches it; the real cluster keeps working', async (_name, flags) => {
    const before = fake.headers.length;
    await rm(path.join(dir, 'cache'), { recursive: true, force: true }); // the plugin must renew now
    const result = await run(cluster.kubectl, pointAtFake(flags), { env: env() });
    expect(authorizations(before)).toEqual([]);
    expect(result.stderr).not.toContain('kube-csr-login:');
    expect(fake.headers.length).toBeGreaterThan(before); // kubectl reached the fake with the plugin's certificate
    const whoami = await run(cluster.kubectl, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], { env: env() });
    expect(whoami).toMatchObject({ code: 0, stdout: user });
  });

  test.each(modes)('flags-only stanza with --server and --certificate-authority, %s: the same', async (_name, flags) => {
    const kubeconfig = path.join(dir, 'flags.kubeconfig');
    const cache = path.join(dir, 'flags-cache');
    const args = pluginArgs({
      server: cluster.server,
      caFile: cluster.caFile,
      tokenFile: flagsUser.tokenFile,
      user: flagsUser.name,
      groups: 'devs',
    });
    await writeUserKubeconfig(kubeconfig, { args, env: { KUBE_CSR_LOGIN_CACHE_DIR: cache } });
    await rm(cache, { recursive: true, force: true });
    const before = fake.headers.length;
    const result = await run(cluster.kubectl, ['--kubeconfig', kubeconfig, ...pointAtFake(flags)]);
    expect(authorizations(before)).toEqual([]);
    expect(result.stderr).not.toContain('kube-csr-login:');
    expect(fake.headers.length).toBeGreaterThan(before);
    const whoami = await run(cluster.kubectl, ['--kubeconfig', kubeconfig, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    expect(whoami).toMatchObject({ code: 0, stdout: flagsUser.name });
  });

  test('a flags-only stanza that relied on provideClusterInfo fails clearly and sends nothing', async () => {
    const kubeconfig = path.join(dir, 'old.kubeconfig');
    const args = ['get-credential', '--token-file', flagsUser.tokenFile, '--user', flagsUser.name, '--groups', 'devs'];
    await writeUserKubeconfig(kubeconfig, { args, env: { KUBE_CSR_LOGIN_CACHE_DIR: path.join(dir, 'old-cache') } });
    const before = fake.headers.length;
    const result = await run(cluster.kubectl, ['--kubeconfig', kubeconfig, ...pointAtFake(['--insecure-skip-tls-verify'])]);
    expect(authorizations(before)).toEqual([]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('missing --server, --certificate-authority');
  });
});
