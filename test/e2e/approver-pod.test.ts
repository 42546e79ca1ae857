// The approver as admins run it: the image from `npm run image` (imported into containerd), on a
// real node (kubelet, kube-scheduler, containerd: test/cluster/node), deployed with kustomize from
// examples/deploy and with the Helm chart, each through settings for this machine only (hostNetwork,
// loopback; approver-pod/manifests.ts). Runs with `npm run test:node` (see docs/deploy-approver.md).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { admin, repoRoot, run, sleep, tempDir } from './cluster.js';
import { until } from '../helpers/until.js';
import { type ProvisionedUser, provisionUser } from './provision.js';
import { decisions, submit, undecided } from './approver-pod/csrs.js';
import { exampleCopy, tokenSeconds, writeOverlay } from './approver-pod/manifests.js';
import { containerProcess, hostState, nodeDown, nodeEnv, nodeUp, podLog, pods } from './approver-pod/node.js';

jest.setTimeout(40 * 60_000);
const ns = 'kube-csr-login';
const metricsPort = 30133;
// CSR names of this run (a control plane may be reused, e.g. with KCL_KEEP_CLUSTER)
const p = `pod-${Date.now().toString(36)}-`;
let dir: string;
let hostBefore: string;
let user: ProvisionedUser;
let imageDigest: string;
let firstPod: { name: string; uid: string; startedAt: number; token: string };

const must = async (command: string, args: string[], timeoutMs = 600_000) => {
  const result = await run(command, args, { cwd: repoRoot, timeoutMs });
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}: ${result.stderr.slice(-2000)}`);
  return result.stdout;
};
const metric = async (port: number, series: string) => {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
};
const lease = async (namespace = ns) =>
  JSON.parse(await admin('get', 'lease', '-n', namespace, 'kube-csr-login-approver', '-o', 'json')) as {
    spec: { holderIdentity?: string; leaseTransitions?: number; acquireTime?: string };
  };
const readyPod = async (namespace = ns, selector?: string) => {
  let found: Awaited<ReturnType<typeof pods>>[number] | undefined;
  await until(
    async () => (found = (await pods(namespace, selector)).find((p) => p.ready)) !== undefined,
    `a Ready approver pod in ${namespace}`,
    180_000,
    500,
  );
  return found as NonNullable<typeof found>;
};
const tokenFile = (uid: string) =>
  path.join(nodeEnv.KCL_KUBELET_ROOT ?? '', 'pods', uid, 'volumes/kubernetes.io~projected/kube-api-access/token');

beforeAll(async () => {
  dir = await tempDir('approver-pod');
  hostBefore = await hostState();
  // the image users get: npm run image's two steps, into a scratch release directory
  await must(process.execPath, ['scripts/release.js', '--out', dir]);
  const [archive, , digest] = (await must(process.execPath, ['scripts/image/build.js', '--out', dir])).trim().split(' ');
  imageDigest = digest ?? '';
  await nodeUp([archive ?? '']);
});

afterAll(async () => {
  await nodeDown().catch((error: unknown) => console.error(String(error)));
});

test('kustomize: the pod becomes Ready through its probes, runs as 65532 without capabilities, and leads', async () => {
  await writeOverlay(dir, metricsPort);
  await admin('apply', '-k', dir);
  await admin('-n', ns, 'rollout', 'status', 'deployment/kube-csr-login-approver', '--timeout=180s');
  const pod = await readyPod();
  expect(pod.restarts).toBe(0);
  const status = await containerProcess(pod.containerId);
  expect([status.Uid?.split(/\s+/)[0], status.Gid?.split(/\s+/)[0], status.CapEff, status.NoNewPrivs]).toEqual([
    '65532',
    '65532',
    '0000000000000000',
    '1',
  ]);
  await until(async () => (await lease()).spec.holderIdentity === `${pod.name}_1`, 'the pod to hold the Lease', 30_000, 250);
  expect(await metric(metricsPort, 'kube_csr_login_approver_leader')).toBe(1);
  const images = await must('ctr', ['-a', nodeEnv.KCL_CTR_SOCKET ?? '', '-n', 'k8s.io', 'images', 'ls', '-q']);
  expect(images.split('\n')).toContain('docker.io/library/kube-csr-login:0.1.0');
  expect(await must('ctr', ['-a', nodeEnv.KCL_CTR_SOCKET ?? '', '-n', 'k8s.io', 'images', 'ls'])).toContain(imageDigest);
  firstPod = { name: pod.name, uid: pod.uid, startedAt: Date.now(), token: await readFile(tokenFile(pod.uid), 'utf8') };
});

test("a user's CSR is approved and issued, a hostile one denied; /metrics counts them; the log is JSON", async () => {
  user = await provisionUser(dir, 'pod.user', ['devs'], 'users');
  await submit(user, `${p}good`, 'first');
  await submit(user, `${p}hostile`, 'first', 'someone.else');
  await until(async () => undecided(await decisions('first')).length === 0, 'both CSRs decided', 60_000, 250);
  const decided = await decisions('first');
  expect(decided.get(`${p}good`)).toEqual({ approved: 1, denied: 0, issued: expect.any(Boolean), events: 1 });
  expect(decided.get(`${p}hostile`)).toEqual({ approved: 0, denied: 1, issued: false, events: 1 });
  await until(async () => (await decisions('first')).get(`${p}good`)?.issued === true, 'the certificate issued', 30_000, 250);
  const series = 'kube_csr_login_approver_decisions_total';
  expect(await metric(metricsPort, `${series}{decision="approved",reason="KubeCsrLoginApproved"}`)).toBe(1);
  const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
  expect(
    text
      .split('\n')
      .filter((l) => l.startsWith(`${series}{decision="denied"`))
      .map((l) => Number(l.split(' ')[1])),
  ).toEqual([1]);
  const log = (await podLog(ns, await readyPod())).map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(log.length).toBeGreaterThan(2);
  expect(log.find((l) => l.csr === `${p}good`)).toMatchObject({
    decision: 'approved',
    requester: 'system:serviceaccount:users:pod.user',
  });
  expect(log.find((l) => l.csr === `${p}hostile`)).toMatchObject({ decision: 'denied' });
  expect(log.map((l) => l.msg)).toContain('permissions: all granted');
});

/** Applies a copy of the example in its own namespace; returns its pod once it runs (Ready or not). */
async function deployCopy(copyNs: string, port: number, args: string[], edit?: Parameters<typeof exampleCopy>[3]) {
  const file = path.join(dir, `${copyNs}.json`);
  await writeFile(file, JSON.stringify(await exampleCopy(copyNs, port, args, edit)));
  await admin('apply', '-f', file);
  let pod: Awaited<ReturnType<typeof pods>>[number] | undefined;
  await until(
    async () => (pod = (await pods(copyNs)).find((p) => p.containerId !== '')) !== undefined,
    `the pod in ${copyNs} to run`,
    120_000,
    500,
  );
  return pod as NonNullable<typeof pod>;
}

/** The pod stays unready (its readiness probe fails) without restarting, and says why in one line. */
async function unreadyWithReason(copyNs: string, port: number, reason: RegExp) {
  const pod = (await pods(copyNs))[0];
  if (!pod) throw new Error(`no pod in ${copyNs}`);
  let lines: string[] = [];
  await until(
    async () => (lines = (await podLog(copyNs, pod)).filter((l) => reason.test(l))).length > 0,
    `the reason in the log of ${copyNs}`,
    60_000,
    500,
  );
  await sleep(12_000); // two readiness periods and one liveness period later
  const after = (await pods(copyNs))[0];
  expect([after?.ready, after?.restarts]).toEqual([false, 0]);
  expect(await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status)).toBe(503);
  expect(lines).toHaveLength(1);
  return pod;
}

test('a missing RBAC verb: the pod says which in one log line and stays unready; granting it makes it Ready', async () => {
  const noWatch = (rules: Record<string, unknown>[]) =>
    rules.map((r) => ((r.verbs as string[]).includes('watch') ? { ...r, verbs: (r.verbs as string[]).filter((v) => v !== 'watch') } : r));
  const args = ['--users-namespace=users', '--max-expiration=24h', '--lease-namespace=$(POD_NAMESPACE)'];
  await deployCopy('kcl-bad-verb', 30134, args, noWatch);
  await unreadyWithReason(
    'kcl-bad-verb',
    30134,
    /permissions: not ready, missing watch certificatesigningrequests\.certificates\.k8s\.io \(/,
  );
  await deployCopy('kcl-bad-verb', 30134, args); // the example's RBAC, whole again
  await until(
    async () => (await pods('kcl-bad-verb'))[0]?.ready === true,
    'the pod Ready once granted (asked again every 10 s while missing)',
    120_000,
    1000,
  );
  await admin('delete', 'namespace', 'kcl-bad-verb', '--wait=false');
});

test('a users namespace that does not exist, an unreachable API server: one clear line each, unready, no crash loop', async () => {
  await deployCopy('kcl-bad-ns', 30135, ['--users-namespace=absent-users', '--lease-namespace=$(POD_NAMESPACE)']);
  await unreadyWithReason(
    'kcl-bad-ns',
    30135,
    /permissions: not ready, missing get serviceaccounts in namespace absent-users .*a missing users namespace absent-users/,
  );
  await admin('delete', 'namespace', 'kcl-bad-ns', '--wait=true', '--timeout=120s');
  const file = path.join(dir, 'unreachable.json');
  const copy = (await exampleCopy('kcl-bad-api', 30136, ['--users-namespace=users', '--lease-namespace=$(POD_NAMESPACE)'])) as {
    items: { kind: string; spec?: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } }[];
  };
  const env = copy.items.find((i) => i.kind === 'Deployment')?.spec?.template.spec.containers[0]?.env ?? [];
  for (const variable of env) if (variable.name === 'KUBERNETES_SERVICE_PORT') variable.value = '1'; // nothing listens there
  await writeFile(file, JSON.stringify(copy));
  await admin('apply', '-f', file);
  await until(async () => (await pods('kcl-bad-api')).some((p) => p.containerId !== ''), 'the pod in kcl-bad-api to run', 120_000, 500);
  await unreadyWithReason('kcl-bad-api', 30136, /permissions: not ready, cannot ask the API server: .*127\.0\.0\.1:1/);
  await admin('delete', 'namespace', 'kcl-bad-api', '--wait=false');
});

test('Helm: the chart, installed by a real helm with values for this machine, runs an approver that leads and approves', async () => {
  const helm = (await must('bash', ['test/cluster/node/build-helm.sh'], 30 * 60_000)).trim().split('\n').at(-1) ?? '';
  const values = {
    replicas: 1,
    image: { pullPolicy: 'Never' },
    usersNamespace: { name: 'helm-users', create: true },
    logFormat: 'json',
    hostNetwork: true,
    probeHost: '127.0.0.1',
    metrics: { address: '127.0.0.1', port: 30137 },
    extraEnv: [
      { name: 'KUBERNETES_SERVICE_HOST', value: '127.0.0.1' },
      { name: 'KUBERNETES_SERVICE_PORT', value: new URL(process.env.KCL_SERVER ?? '').port },
    ],
  };
  await writeFile(path.join(dir, 'values.json'), JSON.stringify(values));
  const chart = path.join(repoRoot, 'examples/helm/kube-csr-login-approver');
  const kubeconfig = process.env.KCL_ADMIN_KUBECONFIG ?? '';
  await must(helm, [
    'install',
    'kcl',
    chart,
    '-n',
    'kcl-helm',
    '--create-namespace',
    '-f',
    path.join(dir, 'values.json'),
    '--kubeconfig',
    kubeconfig,
    '--wait',
    '--timeout',
    '3m',
  ]);
  const pod = await readyPod('kcl-helm', 'app.kubernetes.io/name=kube-csr-login-approver');
  await until(async () => (await lease('kcl-helm')).spec.holderIdentity === `${pod.name}_1`, 'the Helm pod to hold its Lease', 30_000, 250);
  const helmUser = await provisionUser(dir, 'helm.user', ['devs'], 'helm-users');
  await submit(helmUser, `${p}helm`, 'helm');
  await until(async () => (await decisions('helm')).get(`${p}helm`)?.approved === 1, 'the Helm approver to approve', 60_000, 250);
  expect(await metric(30137, 'kube_csr_login_approver_leader')).toBe(1);
  await must(helm, ['uninstall', 'kcl', '-n', 'kcl-helm', '--kubeconfig', kubeconfig, '--wait', '--timeout', '2m']);
  await admin('delete', 'namespace', 'kcl-helm', 'helm-users', '--wait=false');
});

test('the approver reads the projected token again when the kubelet rotates it (the old one expires meanwhile)', async () => {
  const jwtExp = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as { exp: number }).exp * 1000;
  const oldExpiry = jwtExp(firstPod.token);
  expect(oldExpiry - firstPod.startedAt).toBeLessThanOrEqual(tokenSeconds * 1000);
  // the kubelet renews a projected token at 80 % of its lifetime (480 s of 600)
  await until(
    async () => (await readFile(tokenFile(firstPod.uid), 'utf8')) !== firstPod.token,
    'the kubelet to rotate the token',
    oldExpiry - Date.now() + 60_000,
    5_000,
  );
  // the API server accepts a token up to a minute past its exp (go-jose's leeway for clock skew)
  await until(() => Date.now() > oldExpiry + 65_000, 'the first token to expire', oldExpiry - Date.now() + 70_000, 1_000);
  const oldTokenFile = path.join(dir, 'old-pod-token');
  await writeFile(oldTokenFile, firstPod.token, { mode: 0o600 });
  const { tokenApi } = await import('../bench/api-client.js');
  const withOld = await tokenApi(process.env.KCL_SERVER ?? '', process.env.KCL_CA_FILE ?? '', oldTokenFile, 1);
  expect(
    (
      await withOld.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'SelfSubjectReview',
      })
    ).status,
  ).toBe(401);
  // still the same pod, still leading (it renewed the Lease every 2 s past the old token's expiry), and deciding
  const before = await lease();
  expect(before.spec.holderIdentity).toBe(`${firstPod.name}_1`);
  await submit(user, `${p}rotated`, 'rotated');
  await until(
    async () => (await decisions('rotated')).get(`${p}rotated`)?.approved === 1,
    'a decision made with the new token',
    60_000,
    250,
  );
  expect((await pods(ns)).map((p) => [p.name, p.restarts])).toEqual([[firstPod.name, 0]]);
  expect((await lease()).spec.leaseTransitions).toBe(before.spec.leaseTransitions);
  expect((await podLog(ns, { ...firstPod, ready: true, restarts: 0, containerId: '' })).filter((l) => /401|Unauthorized/i.test(l))).toEqual(
    [],
  );
});

/** CSRs submitted while `disrupt` hands the Lease over: all decided, each exactly once, by the new pod too. */
async function handover(batch: string, disrupt: (oldPod: string) => Promise<void>) {
  const oldPod = (await readyPod()).name;
  const transitions = (await lease()).spec.leaseTransitions ?? 0;
  let submitting = true;
  const names: string[] = [];
  const stream = (async () => {
    for (let i = 0; submitting || i < 6; i += 1) {
      names.push(`${p}${batch}-${i}`);
      await submit(user, `${p}${batch}-${i}`, batch);
      await sleep(500);
    }
  })();
  await sleep(2_000);
  await disrupt(oldPod);
  let newPod = '';
  await until(
    async () => (newPod = (await pods(ns)).find((p) => p.ready && p.name !== oldPod)?.name ?? '') !== '',
    'a new Ready pod',
    180_000,
    500,
  );
  await until(async () => (await lease()).spec.holderIdentity === `${newPod}_1`, 'the new pod to take the Lease', 60_000, 250);
  submitting = false;
  await stream;
  await until(async () => undecided(await decisions(batch)).length === 0, `every ${batch} CSR decided`, 90_000, 500);
  const decided = await decisions(batch);
  expect(decided.size).toBe(names.length);
  for (const [name, d] of decided) expect([name, d.approved, d.denied, d.events <= 1]).toEqual([name, 1, 0, true]);
  expect((await lease()).spec.leaseTransitions).toBeGreaterThan(transitions);
}

test('kubectl rollout restart hands the Lease to the new pod: no CSR undecided, none decided twice', async () => {
  await handover('rollout', async () => {
    await admin('-n', ns, 'rollout', 'restart', 'deployment/kube-csr-login-approver');
  });
});

test('deleting the leading pod hands the Lease to its replacement: no CSR undecided, none decided twice', async () => {
  await handover('deleted', async (oldPod) => {
    await admin('-n', ns, 'delete', 'pod', oldPod, '--wait=false');
  });
});

test('teardown removes the node and leaves the host as it was', async () => {
  await admin('delete', '-k', dir, '--wait=true', '--timeout=120s');
  await nodeDown();
  expect(await hostState()).toBe(hostBefore);
});
