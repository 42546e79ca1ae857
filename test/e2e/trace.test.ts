// Tracing on the suite's own control plane with audit logging on (KCL_CLUSTER_AUDIT=1): the credential
// id the real kube-apiserver reports (auth whoami, audit events) is the one `status` shows, the one the
// approver records when the signer issues, and the key `admin trace` joins them by, down to the
// ServiceAccount UID that tells a re-added user from the one removed. Bad input is reported, not fatal.
import { openSync, closeSync } from 'node:fs';
import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { csrApi } from '../../src/kube/csr-api.js';
import { condition, parseCsrObject } from '../../src/kube/csr-object.js';
import { createApiClient } from '../../src/kube/http.js';
import { hostileCsr, hostileVariants } from '../helpers/hostile-csr.js';
import { until } from '../helpers/until.js';
import { launcher, run, tempDir } from './cluster.js';
import { type OwnCluster, startOwnCluster, stopOwnCluster } from './long-run/own-cluster.js';
import { type LoggedInUser, loginWithSetup, startApprover } from './long-run/users.js';

jest.setTimeout(300_000);

const namespace = 'trace-users';
let cluster: OwnCluster | undefined;
let dir: string;
let recordsFile: string;
let recordsFd: number;
let approver: { stop: () => Promise<void> } | undefined;

beforeAll(async () => {
  dir = await tempDir('trace');
  cluster = await startOwnCluster('trace', { KCL_CLUSTER_AUDIT: '1' });
  recordsFile = path.join(dir, 'approver.jsonl');
  recordsFd = openSync(recordsFile, 'a');
  approver = startApprover(cluster, namespace, { extraArgs: ['--log-format', 'json'], stderr: recordsFd });
});
afterAll(async () => {
  await approver?.stop();
  closeSync(recordsFd);
  await stopOwnCluster(cluster);
});

function own(): OwnCluster {
  if (!cluster) throw new Error('the control plane did not start');
  return cluster;
}

const auditLog = () => path.join(own().dir, 'logs/audit.log');

async function kubectlAs(user: LoggedInUser, ...args: string[]) {
  return run(own().kubectl, ['--kubeconfig', user.kubeconfig, ...args], { env: user.env });
}

async function whoamiCredentialId(user: LoggedInUser): Promise<string> {
  const whoami = await kubectlAs(user, 'auth', 'whoami', '-o', 'json');
  expect(whoami.stderr).toBe('');
  const extra = JSON.parse(whoami.stdout).status.userInfo.extra['authentication.kubernetes.io/credential-id'];
  expect(extra).toHaveLength(1);
  return extra[0];
}

async function kcl(args: string[], env: Record<string, string> = {}) {
  const result = await run(launcher, args, { env });
  if (result.code !== 0) throw new Error(`kube-csr-login ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

async function records(): Promise<Record<string, string>[]> {
  const text = await readFile(recordsFile, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .filter((line) => line.record === 'certificate-issued');
}

async function serviceAccountUid(name: string): Promise<string> {
  return own().admin('get', 'serviceaccount', '-n', namespace, name, '-o', 'jsonpath={.metadata.uid}');
}

async function traceJson(...args: string[]) {
  return JSON.parse(await kcl(['admin', 'trace', ...args, '-o', 'json']));
}

let alice: LoggedInUser;
let firstId: string;

test('status, auth whoami, the approver record and admin trace name the same credential id', async () => {
  alice = await loginWithSetup(own(), dir, 'alice', namespace, {});
  firstId = await whoamiCredentialId(alice);
  expect(firstId).toMatch(/^X509SHA256=[0-9a-f]{64}$/);
  const forbidden = await kubectlAs(alice, 'get', 'pods', '-n', 'default');
  expect(forbidden.stderr).toContain('forbidden');

  const status = JSON.parse(await kcl(['status', '-o', 'json'], alice.env));
  expect(status.profiles[0].certificate.credentialId).toBe(firstId);
  const issuedFile = path.join(alice.env.KUBE_CSR_LOGIN_CACHE_DIR ?? '', 'default', 'issued.json');
  expect((await stat(issuedFile)).mode & 0o777).toBe(0o600);
  const issued = await readFile(issuedFile, 'utf8');
  expect(JSON.parse(issued).certificates.map((c: { credentialId: string }) => c.credentialId)).toContain(firstId);
  expect(issued).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);

  const uid = await serviceAccountUid('alice');
  await until(async () => (await records()).some((r) => r.credentialId === firstId), 'the issuance record of alice', 30_000, 200);
  const record = (await records()).filter((r) => r.credentialId === firstId);
  expect(record).toHaveLength(1); // once per CSR
  expect(record[0]).toMatchObject({ user: 'alice', groups: 'devs', serviceAccount: 'alice', serviceAccountUid: uid, csr: 'user=alice' });

  const report = await traceJson(auditLog(), '--records', recordsFile, '--credential-id', firstId);
  expect(report.problems).toEqual([]);
  expect(report.credentials).toHaveLength(1);
  const [traced] = report.credentials;
  expect(traced).toMatchObject({ credentialId: firstId, user: 'alice', groups: ['devs'], outsideValidity: 0 });
  expect(traced.issued.serviceAccount).toEqual({ namespace, name: 'alice', uid });
  const requests = traced.requests.map((q: { verb: string; uri: string; code: number }) => `${q.verb} ${q.uri} ${q.code}`);
  expect(requests).toContain('create /apis/authentication.k8s.io/v1/selfsubjectreviews 201');
  expect(requests.some((q: string) => q.startsWith('list /api/v1/namespaces/default/pods') && q.endsWith(' 403'))).toBe(true);
  const text = await kcl(['admin', 'trace', auditLog(), '--records', recordsFile, '--user', 'alice']);
  expect(text).toContain(`${firstId}\n  user            alice (groups devs)\n  ServiceAccount  ${namespace}/alice uid ${uid}\n`);
});

test('list-users shows the credential id, last renewal and token last use; the records stand in once the CSR is gone', async () => {
  const listUsers = async (...extra: string[]) =>
    JSON.parse(
      await kcl(['admin', 'list-users', '--users-namespace', namespace, '--kubeconfig', own().adminKubeconfig, '-o', 'json', ...extra]),
    ).users.find((u: { name: string }) => u.name === 'alice');
  const today = new Date().toISOString().slice(0, 10);
  // the apiserver labels a legacy token Secret when the token authenticates (setup used it)
  await until(async () => (await listUsers()).tokenLastUsed === today, 'the token Secret to carry legacy-token-last-used', 30_000, 500);
  const row = await listUsers();
  expect(row).toMatchObject({ credentialId: firstId, csr: { state: 'Issued' } });
  expect(Date.parse(row.lastRenewal)).toBeLessThanOrEqual(Date.now());
  await own().admin('delete', 'csr', 'user=alice');
  expect((await listUsers()).credentialId).toBeNull();
  const fromRecords = await listUsers('--records', recordsFile);
  expect(fromRecords).toMatchObject({ credentialId: firstId, csr: null, tokenLastUsed: today });
  expect(Date.parse(fromRecords.certificateExpires)).toBeGreaterThan(Date.now());
});

test('a user removed and re-added under the same name is told apart by the ServiceAccount UID', async () => {
  const oldUid = await serviceAccountUid('alice');
  const before = path.join(dir, 'records-before.jsonl');
  await copyFile(recordsFile, before);
  await kcl(['admin', 'remove-user', 'alice', '--users-namespace', namespace, '--kubeconfig', own().adminKubeconfig]);
  alice = await loginWithSetup(own(), dir, 'alice', namespace, {});
  const secondId = await whoamiCredentialId(alice);
  const newUid = await serviceAccountUid('alice');
  expect(newUid).not.toBe(oldUid);
  expect(secondId).not.toBe(firstId);
  await until(async () => (await records()).some((r) => r.credentialId === secondId), 'the record of the re-added alice', 30_000, 200);

  const report = await traceJson(auditLog(), '--records', recordsFile, '--user', 'alice');
  const uidOf = (id: string) => report.credentials.find((c: { credentialId: string }) => c.credentialId === id)?.issued?.serviceAccount.uid;
  expect([uidOf(firstId), uidOf(secondId)]).toEqual([oldUid, newUid]);
  expect(report.mismatches).toEqual([]);

  // Records that end before the re-add: the new certificate and the new UID are named, not guessed.
  const stale = await traceJson(auditLog(), '--records', before, '--user', 'alice');
  const kinds = stale.mismatches.map((m: { kind: string; message: string }) => m.kind);
  expect(kinds).toEqual(expect.arrayContaining(['unrecorded-certificate', 'serviceaccount-uid']));
  expect(stale.mismatches.find((m: { kind: string }) => m.kind === 'serviceaccount-uid').message).toContain(newUid);
});

test('malformed and oversized audit lines are reported by number; the rest is traced', async () => {
  const lines = (await readFile(auditLog(), 'utf8')).split('\n').filter((line) => line !== '');
  const broken = path.join(dir, 'broken-audit.log');
  const hostile = [...lines.slice(0, 2), '{"kind":"Event", truncated', 'x'.repeat(1_100_000), '[1,2]', ...lines.slice(2)];
  await writeFile(broken, `${hostile.join('\n')}\n`);
  const good = await traceJson(auditLog(), '--records', recordsFile, '--credential-id', firstId);
  const report = await traceJson(broken, '--records', recordsFile, '--credential-id', firstId);
  expect(report.problems.map((p: { line: number }) => p.line)).toEqual([3, 4, 5]);
  expect(report.problems[1].problem).toContain('longer than');
  expect(report.credentials[0].requestCount).toBe(good.credentials[0].requestCount);
  const missing = await run(launcher, ['admin', 'trace', path.join(dir, 'no-such.log')]);
  expect([missing.code, missing.stdout, missing.stderr.trim().split('\n').length]).toEqual([3, '', 1]);
});

test('a CSR carrying the user-UID subject attribute is denied on the real server with ExtraSubjectAttributes, and never recorded', async () => {
  const token = (await own().admin('create', 'token', 'alice', '-n', namespace, '--duration', '10m')).trim();
  const caPem = await readFile(own().caFile, 'utf8');
  const api = csrApi(createApiClient({ server: own().server, certificateAuthorityPem: caPem }, token, { httpsProxy: '', noProxy: '' }));
  const variant = hostileVariants('alice')['uid-rdn'];
  if (!variant) throw new Error('hostile-csr has no uid-rdn variant');
  // the users' CSR name policy (ValidatingAdmissionPolicy) admits only user=NAME
  const spec = { ...(await hostileCsr('alice', 'uid-rdn', variant)), name: 'user=alice' };
  await own().admin('delete', 'csr', spec.name, '--ignore-not-found');
  await api.create({
    name: spec.name,
    requestPem: spec.requestPem,
    usages: spec.usages,
    expirationSeconds: spec.expirationSeconds ?? 3600,
    signerName: spec.signerName,
  });
  let denied: { reason?: string; message?: string } | undefined;
  let uid = '';
  await until(
    async () => {
      const csr = parseCsrObject(JSON.parse(await own().admin('get', 'csr', spec.name, '-o', 'json')));
      uid = csr.uid;
      denied = condition(csr, 'Denied');
      expect(csr.certificatePem).toBeUndefined();
      return denied !== undefined;
    },
    'the approver to deny the UID CSR',
    30_000,
    200,
  );
  expect(denied?.reason).toBe('ExtraSubjectAttributes');
  expect(denied?.message).toContain('kubernetes UID'); // the OID 1.3.6.1.4.1.57683.2, by name
  expect((await records()).filter((r) => r.csrUid === uid)).toEqual([]);
});
