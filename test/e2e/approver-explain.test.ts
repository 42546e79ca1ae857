// `approver --dry-run` and `approver explain` on the real control plane: a shadow approver reports
// what it would decide (JSON log lines, Events, metrics) and leaves every CSR pending; explain reads
// a live CSR (by name, and as YAML on stdin) and the ServiceAccount as they are now, read-only.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { csrApi } from '../../src/kube/csr-api.js';
import { createApiClient } from '../../src/kube/http.js';
import { admin, cluster, launcher, run, sleep, tempDir } from './cluster.js';
import { hostileCsr, hostileVariants } from '../helpers/hostile-csr.js';
import { type ProvisionedUser, provisionUser } from './provision.js';

jest.setTimeout(180_000);
// Its own users namespace: no other approver judges these CSRs.
const namespace = 'shadow-users';
let user: ProvisionedUser;
let shadow: ChildProcess;
let logs = '';
const good = 'user=shadow.user';
const smuggled = 'hostile-smuggled-sans-shadow.user';

const decisions = () =>
  logs
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, string>)
    .filter((entry) => entry.decision);

beforeAll(async () => {
  const dir = await tempDir('shadow');
  user = await provisionUser(dir, 'shadow.user', ['devs'], namespace);
  shadow = spawn(
    launcher,
    [
      'approver',
      '--dry-run',
      '--no-leader-elect',
      '--log-format',
      'json',
      '--kubeconfig',
      cluster.adminKubeconfig,
      '--metrics-addr',
      '127.0.0.1:0',
      '--users-namespace',
      namespace,
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  shadow.stderr?.on('data', (chunk: Buffer) => {
    logs += chunk.toString();
  });
  const api = csrApi(
    createApiClient({ server: cluster.server, certificateAuthorityPem: await readFile(cluster.caFile, 'utf8') }, user.token, {
      httpsProxy: '',
      noProxy: '',
    }),
  );
  for (const [name, key] of [
    [good, 'plain'],
    [smuggled, 'smuggled-sans'],
  ] as const) {
    const spec = await hostileCsr(
      user.name,
      key,
      key === 'plain' ? { usages: ['client auth', 'digital signature'] } : (hostileVariants(user.name)[key] ?? {}),
    );
    await admin('delete', 'csr', name, '--ignore-not-found');
    await api.create({ name, requestPem: spec.requestPem, usages: spec.usages, expirationSeconds: 3600, signerName: spec.signerName });
  }
  for (let i = 0; i < 150 && decisions().length < 2; i += 1) await sleep(200);
});

afterAll(async () => {
  if (shadow.exitCode === null && shadow.signalCode === null) await new Promise((resolve) => shadow.once('exit', resolve).kill('SIGTERM'));
  await admin('delete', 'csr', good, smuggled, '--ignore-not-found');
});

test('--dry-run reports what it would decide (log, Events, metrics) and writes no decision', async () => {
  const byCsr = Object.fromEntries(decisions().map((entry) => [entry.csr, entry]));
  expect(byCsr[good]).toMatchObject({
    decision: 'would_approve',
    reason: 'KubeCsrLoginApproved',
    requester: `system:serviceaccount:${namespace}:shadow.user`,
  });
  expect(byCsr[smuggled]).toMatchObject({ decision: 'would_deny', reason: 'SubjectAlternativeNames' });
  for (const name of [good, smuggled]) {
    expect(await admin('get', 'csr', name, '-o', 'jsonpath={.status.conditions}')).toBe(''); // still pending: nothing written
  }
  const events = await admin(
    'get',
    'events',
    '-n',
    'default',
    '--field-selector',
    `involvedObject.name=${smuggled}`,
    '-o',
    'jsonpath={.items[*].message}',
  );
  expect(events).toContain('dry run, not written: would deny');
  const started = logs.split('\n').find((line) => line.includes('DRY RUN')) ?? '';
  const port = /metrics on 127\.0\.0\.1:(\d+)/.exec(started)?.[1];
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(metrics).toContain('kube_csr_login_approver_decisions_total{decision="would_approve",reason="KubeCsrLoginApproved"} 1');
  expect(metrics).toContain('kube_csr_login_approver_dry_run 1');
});

test('explain CSR-NAME: every rule with its value, the live ServiceAccount, read-only', async () => {
  const flags = ['--kubeconfig', cluster.adminKubeconfig, '--users-namespace', namespace];
  const before = await admin('get', 'csr', good, '-o', 'jsonpath={.metadata.resourceVersion}');
  const text = await run(launcher, ['approver', 'explain', good, ...flags]);
  expect([text.code, text.stderr, text.stdout]).toEqual([0, '', expect.any(String)]);
  expect(text.stdout).toMatch(/RequesterNotServiceAccount\s+PASS\s+uid "[0-9a-f-]+", groups \[.*"system:serviceaccounts:shadow-users"/);
  expect(text.stdout).toMatch(/GroupNotAllowed\s+PASS\s+O \["devs"\], allowed \["devs"\]/);
  expect(text.stdout).toContain('decision       approve');
  const json = await run(launcher, ['approver', 'explain', smuggled, '-o', 'json', ...flags]);
  const explained = JSON.parse(json.stdout);
  expect(explained.request.subjectAltNames).toEqual(['DNS:kubernetes.default.svc', 'URI:spiffe://cluster.local/ns/users/sa/admin']);
  expect(explained.decision).toMatchObject({ action: 'deny', reason: 'SubjectAlternativeNames' });
  // The live policy: the group taken away from the annotation shows at once.
  await admin('annotate', 'serviceaccount', '-n', namespace, user.name, 'kube-csr-login.io/groups=ops', '--overwrite');
  const yaml = await admin('get', 'csr', good, '-o', 'yaml');
  const fromStdin = await run(launcher, ['approver', 'explain', '-f', '-', ...flags], { input: yaml });
  expect([fromStdin.code, fromStdin.stderr]).toEqual([0, '']);
  expect(fromStdin.stdout).toMatch(/GroupNotAllowed\s+FAIL\s+O \["devs"\], allowed \["ops"\]/);
  expect(fromStdin.stdout).toContain('decision       deny GroupNotAllowed');
  expect(await admin('get', 'csr', good, '-o', 'jsonpath={.metadata.resourceVersion}')).toBe(before); // read-only
});
