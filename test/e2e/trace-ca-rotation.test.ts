// Serving-CA rotation on the suite's own control plane (it changes the CA): kube-controller-manager's
// publisher puts --root-ca-file into a ClusterTrustBundle; `status --check-ca` sees the change,
// `setup --refresh-ca` adopts the published bundle only over a connection the current CA verifies and
// only when the server's certificate chains to it, and kubectl keeps working through the rotation
// (test/cluster/rotate-serving-ca.sh: begin = old+new published, switch = new serving cert, finish =
// old dropped). A user who never refreshes breaks at the switch and cannot refresh afterwards.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { until } from '../helpers/until.js';
import { launcher, repoRoot, run, sleep, tempDir } from './cluster.js';
import { type OwnCluster, startOwnCluster, stopOwnCluster } from './long-run/own-cluster.js';
import { type LoggedInUser, loginWithSetup, startApprover } from './long-run/users.js';

jest.setTimeout(420_000);

const namespace = 'rotate-users';
let cluster: OwnCluster | undefined;
let dir: string;
let approver: { stop: () => Promise<void> } | undefined;
let alice: LoggedInUser;
let bob: LoggedInUser;
let carol: LoggedInUser;

beforeAll(async () => {
  dir = await tempDir('ca-rotation');
  cluster = await startOwnCluster('ca-rotation');
  approver = startApprover(cluster, namespace);
  alice = await loginWithSetup(cluster, dir, 'alice', namespace, {});
  bob = await loginWithSetup(cluster, dir, 'bob', namespace, {});
  // renews in the background ~6 s after each certificate (600 s, backdated 5 min: 34 % of 900 s)
  carol = await loginWithSetup(cluster, dir, 'carol', namespace, { expirationSeconds: 600, renewWindow: [0.34, 0.34] });
});
afterAll(async () => {
  await approver?.stop();
  await stopOwnCluster(cluster);
});

function own(): OwnCluster {
  if (!cluster) throw new Error('the control plane did not start');
  return cluster;
}

async function rotate(...args: string[]): Promise<void> {
  const result = await run('bash', [path.join(repoRoot, 'test/cluster/rotate-serving-ca.sh'), ...args], {
    env: { KCL_CLUSTER_DIR: own().dir },
    timeoutMs: 180_000,
  });
  if (result.code !== 0) throw new Error(`rotate-serving-ca.sh ${args.join(' ')} failed: ${result.stderr}`);
}

const fingerprints = (pem: string) =>
  (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((b) => new X509Certificate(b).fingerprint256);

/** Until the ClusterTrustBundles of the serving signer hold exactly the CAs of this file. */
async function published(file: string): Promise<void> {
  const want = fingerprints(await readFile(file, 'utf8')).sort();
  await until(
    async () => {
      const list = JSON.parse(await own().admin('get', 'clustertrustbundles', '-o', 'json'));
      const have = list.items
        .filter((item: { spec: { signerName: string } }) => item.spec.signerName === 'kubernetes.io/kube-apiserver-serving')
        .flatMap((item: { spec: { trustBundle: string } }) => fingerprints(item.spec.trustBundle))
        .sort();
      return JSON.stringify(have) === JSON.stringify(want);
    },
    `the published serving CAs to be those of ${path.basename(file)}`,
    60_000,
    250,
  );
}

async function checkCa(user: LoggedInUser) {
  const result = await run(launcher, ['status', '--check-ca', '-o', 'json'], { env: user.env });
  expect([result.code, result.stderr]).toEqual([0, '']);
  return JSON.parse(result.stdout).profiles[0].servingCa;
}

const refresh = (user: LoggedInUser) => run(launcher, ['setup', '--refresh-ca'], { env: user.env });

async function kubeconfigCas(user: LoggedInUser): Promise<string[]> {
  const data = /certificate-authority-data: (\S+)/.exec(await readFile(user.kubeconfig, 'utf8'))?.[1] ?? '';
  return fingerprints(Buffer.from(data, 'base64').toString('utf8'));
}

const profileCa = (user: LoggedInUser) =>
  readFile(path.join(user.env.KUBE_CSR_LOGIN_CONFIG_DIR ?? '', 'profiles', 'default.ca.crt'), 'utf8');

const whoami = (user: LoggedInUser) =>
  run(own().kubectl, ['--kubeconfig', user.kubeconfig, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], {
    env: user.env,
  });

const caCheckFile = (user: LoggedInUser) => path.join(user.env.KUBE_CSR_LOGIN_CACHE_DIR ?? '', 'default', 'ca-check.json');

async function backgroundRenewal(user: LoggedInUser): Promise<void> {
  const before = JSON.parse((await run(launcher, ['status', '-o', 'json'], { env: user.env })).stdout).profiles[0].certificate.credentialId;
  await until(
    async () => {
      await whoami(user); // past the renewal point: served at once, renewed by a detached process
      const now = JSON.parse((await run(launcher, ['status', '-o', 'json'], { env: user.env })).stdout).profiles[0].certificate;
      return now.credentialId !== before;
    },
    `a background renewal for ${user.name}`,
    60_000,
    1000,
  );
}

test('a background renewal compares the CA with the published one, at most once a day', async () => {
  await backgroundRenewal(carol);
  await until(async () => (await readFile(caCheckFile(carol), 'utf8').catch(() => '')) !== '', 'the first CA check', 30_000, 200);
  const first = await readFile(caCheckFile(carol), 'utf8');
  expect(JSON.parse(first)).toMatchObject({ version: 1, state: 'current' });
  const status = await run(launcher, ['status'], { env: carol.env }); // local files only
  expect(status.stdout).toMatch(/serving CA +matches the serving CA the cluster publishes \(checked \d+s ago\)/);
  await backgroundRenewal(carol);
  await sleep(2000); // the detached renewal has finished (the new certificate is cached) and its check, if any
  expect(await readFile(caCheckFile(carol), 'utf8')).toBe(first);
});

test('status --check-ca sees the rotation begin; a bundle that does not chain is refused; refresh-ca adopts old+new', async () => {
  const pki = path.join(own().dir, 'pki');
  await published(path.join(pki, 'server-ca.crt'));
  expect(await checkCa(alice)).toMatchObject({ state: 'current' });

  await rotate('begin');
  await published(path.join(pki, 'server-ca-overlap.crt'));
  const changed = await checkCa(alice);
  expect(changed.state).toBe('changed');
  expect(changed.message).toContain('setup --refresh-ca --profile default');
  const text = await run(launcher, ['status'], { env: alice.env });
  expect(text.stdout).toMatch(/serving CA +WARNING: the cluster's serving CA changed \(new: CN=kube-csr-login-server-ca-\d+\)/);

  // An admin's mistake (or worse): the published CA is not the one the server's certificate chains to.
  const wrong = path.join(dir, 'wrong-ca.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      path.join(dir, 'wrong-ca.key'),
      '-subj',
      '/CN=not-the-serving-ca',
      '-days',
      '1',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-out',
      wrong,
    ],
    { stdio: 'ignore' },
  );
  await rotate('publish', wrong);
  await published(wrong);
  const [kubeconfigBefore, caBefore] = await Promise.all([readFile(alice.kubeconfig, 'utf8'), profileCa(alice)]);
  const refused = await refresh(alice);
  expect([refused.code, refused.stdout]).toEqual([13, '']);
  expect(refused.stderr).toMatch(/^kube-csr-login: .*does not chain to any published CA \(CN=not-the-serving-ca\).*nothing changed/);
  expect(refused.stderr.trim().split('\n')).toHaveLength(1);
  expect([await readFile(alice.kubeconfig, 'utf8'), await profileCa(alice)]).toEqual([kubeconfigBefore, caBefore]);
  expect(await checkCa(alice)).toMatchObject({ state: 'broken' });

  await rotate('publish', path.join(pki, 'server-ca.crt'));
  await published(path.join(pki, 'server-ca-overlap.crt'));
  const adopted = await refresh(alice);
  expect([adopted.code, adopted.stderr]).toEqual([0, '']);
  expect(adopted.stdout).toMatch(/now trusts the published serving CA \(2 CAs: .*\n {2}added: CN=kube-csr-login-server-ca-\d+\n/);
  const overlap = fingerprints(await readFile(path.join(pki, 'server-ca-overlap.crt'), 'utf8'));
  expect(await kubeconfigCas(alice)).toEqual(overlap);
  expect(fingerprints(await profileCa(alice))).toEqual(overlap);
  expect(await checkCa(alice)).toMatchObject({ state: 'current' });
  expect((await whoami(alice)).stdout).toBe('alice');
});

test('after the switch and the old CA dropped, the refreshed user keeps working; one who never refreshed cannot', async () => {
  const pki = path.join(own().dir, 'pki');
  const next = fingerprints(await readFile(path.join(pki, 'server-ca-next.crt'), 'utf8'));
  await rotate('switch');
  // The approver is a client of the apiserver too: it reads the (rotated) admin kubeconfig at start.
  await approver?.stop();
  approver = startApprover(own(), namespace);
  expect(await whoami(alice)).toMatchObject({ code: 0, stdout: 'alice' });
  const broken = await whoami(bob);
  expect(broken.code).not.toBe(0);
  expect(broken.stderr).toContain('certificate signed by unknown authority');

  await rotate('finish');
  await published(path.join(pki, 'server-ca.crt'));
  expect(await checkCa(alice)).toMatchObject({ state: 'changed' });
  const dropped = await refresh(alice);
  expect([dropped.code, dropped.stderr]).toEqual([0, '']);
  expect(dropped.stdout).toContain('  removed: CN=kube-csr-login-server-ca\n');
  expect(await kubeconfigCas(alice)).toEqual(next);
  expect(fingerprints(await profileCa(alice))).toEqual(next);
  expect(await whoami(alice)).toMatchObject({ code: 0, stdout: 'alice' });

  // Bob's CA no longer verifies the server: the new CA cannot be fetched safely, and is not.
  const kubeconfigBefore = await readFile(bob.kubeconfig, 'utf8');
  const refused = await refresh(bob);
  expect(refused.code).toBe(13);
  expect(refused.stderr).toContain('ask your admin for a new login bundle');
  expect(await readFile(bob.kubeconfig, 'utf8')).toBe(kubeconfigBefore);
  expect(await checkCa(bob)).toMatchObject({ state: 'failed' });
});
