// One CSR through processCsr against a fake API edge: the decision lands in the approval
// subresource as an appended condition, conflicts are reported for a requeue, the ServiceAccount is
// read from the API server for each decision (no copy is kept), events are best effort, and what
// users chose (names, subject values) reaches logs and messages escaped.
import type { JsonName } from '@peculiar/x509';
import { expect, test } from '@jest/globals';
import type { ApproverApi } from '../../../src/approver/approver-api.js';
import { ReportedVersions } from '../../../src/approver/dry-run.js';
import { createLog } from '../../../src/approver/log.js';
import { createMetrics } from '../../../src/approver/metrics.js';
import { type ProcessDeps, processCsr } from '../../../src/approver/process-csr.js';
import type { ServiceAccountInfo } from '../../../src/kube/service-account.js';
import { KclError } from '../../../src/errors.js';
import type { Json } from '../../../src/util/validate.js';
import { requestPem } from './csr-builder.js';
import { until } from '../../helpers/until.js';

async function rawCsr(subject: JsonName = [{ CN: ['jean.doe'] }, { O: ['devs'] }], name = 'user=jean.doe'): Promise<Json> {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name, uid: 'u1', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      request: Buffer.from(await requestPem('jean.doe', { subject })).toString('base64'),
      signerName: 'kubernetes.io/kube-apiserver-client',
      usages: ['client auth', 'digital signature'],
      expirationSeconds: 3600,
      username: 'system:serviceaccount:users:jean.doe',
      uid: 'sa-uid',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:users', 'system:authenticated'],
    },
    status: { conditions: [{ type: 'Other', status: 'True' }] },
  };
}

/** account: the API server's current ServiceAccount (undefined: none; an Error: the read fails). */
function setup(raw: Json, options: { account?: ServiceAccountInfo | Error; updateError?: Error; eventError?: Error } = {}) {
  const updates: Json[] = [];
  const events: string[] = [];
  const accountReads: string[] = [];
  const logs: string[] = [];
  const metrics = createMetrics();
  const api: ApproverApi = {
    csrs: { list: async () => '', watch: async function* () {} },
    getRaw: async () => raw,
    updateApproval: async (_name, body) => {
      if (options.updateError) throw options.updateError;
      updates.push(body);
    },
    getServiceAccount: async () => undefined,
    event: async (_csr, _type, _reason, message) => {
      if (options.eventError) throw options.eventError;
      events.push(message);
    },
  };
  const deps: ProcessDeps = {
    api,
    config: { usersNamespace: 'users', maxExpirationSeconds: 86_400 },
    serviceAccount: async (name) => {
      accountReads.push(name);
      if (options.account instanceof Error) throw options.account;
      return options.account;
    },
    metrics,
    now: () => new Date('2026-01-01T00:00:03Z'),
    log: (line) => logs.push(line),
  };
  return { deps, updates, logs, metrics, events, accountReads };
}

const account: ServiceAccountInfo = { name: 'jean.doe', uid: 'sa-uid', groups: ['devs'] };

test('an approval appends the Approved condition, counts it and logs one line without key material', async () => {
  const { deps, updates, logs, metrics } = setup(await rawCsr(), { account });
  expect(await processCsr(deps, 'user=jean.doe')).toBe('approved');
  const status = updates[0]?.status;
  expect(status).toEqual({
    conditions: [
      { type: 'Other', status: 'True' },
      {
        type: 'Approved',
        status: 'True',
        reason: 'KubeCsrLoginApproved',
        message: expect.any(String),
        lastUpdateTime: '2026-01-01T00:00:03Z',
      },
    ],
  });
  expect(updates[0]?.metadata).toMatchObject({ name: 'user=jean.doe', resourceVersion: '7' }); // the whole object goes back
  expect(logs).toHaveLength(1);
  expect(logs[0]).toMatch(/^approved CSR user=jean.doe from system:serviceaccount:users:jean.doe: KubeCsrLoginApproved/);
  expect(logs[0]).not.toMatch(/BEGIN|MII/);
  expect(metrics.render()).toContain('kube_csr_login_approver_decisions_total{decision="approved",reason="KubeCsrLoginApproved"} 1');
  expect(metrics.render()).toContain('kube_csr_login_approver_decision_latency_seconds_bucket{le="5"} 1');
  expect(metrics.render()).toContain('kube_csr_login_approver_requester_decisions_total{requester="jean.doe",decision="approved"} 1');
});

test('a denial carries the reason; a failed event is logged, not fatal', async () => {
  const { deps, updates, logs } = setup(await rawCsr([{ CN: ['someone.else'] }]), { account, eventError: new Error('forbidden') });
  expect(await processCsr(deps, 'user=jean.doe')).toBe('denied');
  expect(JSON.stringify(updates[0])).toContain('"reason":"SubjectMismatch"');
  await until(() => logs.length === 2, 'the failed event to be logged');
  expect(logs).toEqual([expect.stringMatching(/^denied CSR .*SubjectMismatch/), expect.stringContaining('could not record an event')]);
});

test('a CSR the watch delivered is judged as delivered, without reading it again', async () => {
  const delivered = await rawCsr();
  const { deps, updates } = setup(await rawCsr([{ CN: ['someone.else'] }]), { account });
  expect(await processCsr(deps, 'user=jean.doe', delivered)).toBe('approved'); // the API's copy would be denied
  expect(updates[0]?.metadata).toMatchObject({ resourceVersion: '7' }); // guarded by the delivered version
});

test('a conflict on the approval update asks for a requeue; a vanished CSR is gone', async () => {
  const conflict = setup(await rawCsr(), { account, updateError: new KclError('conflict', 'conflict (409)') });
  expect(await processCsr(conflict.deps, 'user=jean.doe')).toBe('conflict');
  const gone = setup(await rawCsr(), { account });
  gone.deps.api.getRaw = async () => undefined;
  expect(await processCsr(gone.deps, 'user=jean.doe')).toBe('gone');
});

// Regression (issue 11.3): approvals were decided on an informer's copy, so during watch lag a
// deleted ServiceAccount or a group just removed from its annotation was still approved.
test('the ServiceAccount as the API server has it decides: a group removed denies', async () => {
  const { deps, updates, accountReads } = setup(await rawCsr(), { account: { ...account, groups: ['ops'] } });
  expect(await processCsr(deps, 'user=jean.doe')).toBe('denied');
  expect(JSON.stringify(updates[0])).toContain('"reason":"GroupNotAllowed"');
  expect(accountReads).toEqual(['jean.doe']);
});

test('a ServiceAccount deleted (or recreated under a new uid) denies', async () => {
  const deleted = setup(await rawCsr(), {});
  expect(await processCsr(deleted.deps, 'user=jean.doe')).toBe('denied');
  expect(JSON.stringify(deleted.updates[0])).toContain('"reason":"UnknownServiceAccount"');
  const recreated = setup(await rawCsr(), { account: { ...account, uid: 'new-uid' } });
  expect(await processCsr(recreated.deps, 'user=jean.doe')).toBe('denied');
  expect(JSON.stringify(recreated.updates[0])).toContain('"reason":"UnknownServiceAccount"');
});

test('a failed ServiceAccount read writes nothing (the caller retries)', async () => {
  const { deps, updates } = setup(await rawCsr(), { account: new KclError('unreachable', 'connection refused') });
  await expect(processCsr(deps, 'user=jean.doe')).rejects.toThrow('connection refused');
  expect(updates).toEqual([]);
});

test('a requester that is not a ServiceAccount of the users namespace is denied without a read', async () => {
  const raw = await rawCsr();
  (raw.spec as Json).groups = ['system:authenticated'];
  const { deps, updates, accountReads } = setup(raw, { account });
  expect(await processCsr(deps, 'user=jean.doe')).toBe('denied');
  expect(JSON.stringify(updates[0])).toContain('"reason":"RequesterNotServiceAccount"');
  expect(accountReads).toEqual([]);
});

// Regression (issue 11.4): a CSR name or a subject value with a newline forged log lines.
test('control characters in the CSR name and subject values are escaped in the log, the condition and the Event', async () => {
  const forged = 'user=x\n2026-01-01T00:00:04.000Z approver: approved CSR user=bob';
  const { deps, updates, events } = setup(await rawCsr([{ CN: ['jean.doe'] }, { O: ['admins\u001b[2K\rops'] }], forged), {
    account,
  });
  const written: string[] = [];
  deps.log = createLog(
    (text) => written.push(text),
    () => new Date('2026-01-01T00:00:03Z'),
  );
  expect(await processCsr(deps, forged)).toBe('denied');
  await new Promise((resolve) => setImmediate(resolve));
  expect(written).toHaveLength(1);
  expect(written[0]?.split('\n')).toHaveLength(2); // one line and its newline
  expect(written[0]).toContain('CSR user=x\\n2026-01-01T00:00:04.000Z approver: approved CSR user=bob from');
  expect(written[0]).toContain('admins\\u001b[2K\\rops');
  const condition = JSON.stringify(updates[0]);
  expect(condition).toContain('admins\\\\u001b[2K\\\\rops'); // the escape, JSON-encoded
  expect(events[0]).toContain('admins\\u001b[2K\\rops');
  expect(events[0]).not.toMatch(/[\u0000-\u001f]/);
});

test('--dry-run: decisions are logged, counted and recorded as Events, never written; each version reported once', async () => {
  const raw = await rawCsr();
  const { deps, updates, logs, events, metrics } = setup(raw, { account });
  deps.dryRun = new ReportedVersions();
  expect(await processCsr(deps, 'user=jean.doe')).toBe('reported');
  expect(await processCsr(deps, 'user=jean.doe')).toBe('ignored'); // a resync: same resourceVersion
  await new Promise((resolve) => setImmediate(resolve));
  expect(updates).toEqual([]);
  expect(logs).toEqual([expect.stringMatching(/^dry run: would approve CSR user=jean.doe from .*KubeCsrLoginApproved/)]);
  expect(events).toEqual([expect.stringMatching(/^dry run, not written: would approve: CN=jean.doe/)]);
  expect(metrics.render()).toContain('kube_csr_login_approver_decisions_total{decision="would_approve",reason="KubeCsrLoginApproved"} 1');
  (raw.metadata as Json).resourceVersion = '8'; // someone changed it: judged again
  deps.serviceAccount = async () => ({ ...account, groups: [] });
  expect(await processCsr(deps, 'user=jean.doe')).toBe('reported');
  expect(metrics.render()).toContain('kube_csr_login_approver_decisions_total{decision="would_deny",reason="GroupNotAllowed"} 1');
  expect(updates).toEqual([]);
});

test('--dry-run forgets CSRs once decided by someone else or deleted', async () => {
  const raw = await rawCsr();
  const { deps } = setup(raw, { account });
  const reported = new ReportedVersions();
  deps.dryRun = reported;
  await processCsr(deps, 'user=jean.doe');
  expect(reported.size).toBe(1);
  raw.status = { conditions: [{ type: 'Approved', status: 'True' }] };
  expect(await processCsr(deps, 'user=jean.doe')).toBe('ignored');
  expect(reported.size).toBe(0);
});
