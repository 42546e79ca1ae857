// One CSR through processCsr against a fake API edge: the decision lands in the approval
// subresource as an appended condition, conflicts are reported for a requeue, a denial that
// depends on the ServiceAccount is re-checked with a fresh read, and events are best effort.
import type { JsonName } from '@peculiar/x509';
import { expect, test } from '@jest/globals';
import type { ApproverApi } from '../../../src/approver/approver-api.js';
import { createMetrics } from '../../../src/approver/metrics.js';
import { type ProcessDeps, processCsr } from '../../../src/approver/process-csr.js';
import type { ServiceAccountInfo } from '../../../src/kube/service-account.js';
import { KclError } from '../../../src/errors.js';
import type { Json } from '../../../src/util/validate.js';
import { requestPem } from './csr-builder.js';

async function rawCsr(subject: JsonName = [{ CN: ['jean.doe'] }, { O: ['devs'] }]): Promise<Json> {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: 'user=jean.doe', uid: 'u1', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      request: Buffer.from(await requestPem('jean.doe', { subject })).toString('base64'),
      signerName: 'kubernetes.io/kube-apiserver-client',
      usages: ['client auth', 'digital signature'],
      expirationSeconds: 3600,
      username: 'system:serviceaccount:users:jean.doe',
      uid: 'sa-uid',
    },
    status: { conditions: [{ type: 'Other', status: 'True' }] },
  };
}

function setup(raw: Json, options: { cached?: ServiceAccountInfo; fresh?: ServiceAccountInfo; updateError?: Error; eventError?: Error } = {}) {
  const updates: Json[] = [];
  const logs: string[] = [];
  const metrics = createMetrics();
  const api: ApproverApi = {
    csrs: { list: async () => '', watch: async function* () {} },
    serviceAccounts: () => ({ list: async () => '', watch: async function* () {} }),
    getRaw: async () => raw,
    updateApproval: async (_name, body) => {
      if (options.updateError) throw options.updateError;
      updates.push(body);
    },
    getServiceAccount: async () => undefined,
    event: async () => {
      if (options.eventError) throw options.eventError;
    },
  };
  const deps: ProcessDeps = {
    api,
    config: { usersNamespace: 'users', maxExpirationSeconds: 86_400 },
    cachedServiceAccount: () => options.cached,
    freshServiceAccount: async () => options.fresh,
    metrics,
    now: () => new Date('2026-01-01T00:00:03Z'),
    log: (line) => logs.push(line),
  };
  return { deps, updates, logs, metrics };
}

const account: ServiceAccountInfo = { name: 'jean.doe', uid: 'sa-uid', groups: ['devs'] };

test('an approval appends the Approved condition, counts it and logs one line without key material', async () => {
  const { deps, updates, logs, metrics } = setup(await rawCsr(), { cached: account });
  expect(await processCsr(deps, 'user=jean.doe')).toBe('approved');
  const status = updates[0]?.status;
  expect(status).toEqual({ conditions: [{ type: 'Other', status: 'True' }, { type: 'Approved', status: 'True', reason: 'KubeCsrLoginApproved', message: expect.any(String), lastUpdateTime: '2026-01-01T00:00:03Z' }] });
  expect(updates[0]?.metadata).toMatchObject({ name: 'user=jean.doe', resourceVersion: '7' }); // the whole object goes back
  expect(logs).toHaveLength(1);
  expect(logs[0]).toMatch(/^approved CSR user=jean.doe from system:serviceaccount:users:jean.doe: KubeCsrLoginApproved/);
  expect(logs[0]).not.toMatch(/BEGIN|MII/);
  expect(metrics.render()).toContain('kube_csr_login_approver_decisions_total{result="approved",reason="KubeCsrLoginApproved"} 1');
  expect(metrics.render()).toContain('kube_csr_login_approver_decision_latency_seconds_bucket{le="5"} 1');
});

test('an informer that lags behind a new group annotation does not cause a final denial', async () => {
  const lagging = { ...account, groups: [] };
  const { deps, updates } = setup(await rawCsr(), { cached: lagging, fresh: account });
  expect(await processCsr(deps, 'user=jean.doe')).toBe('approved');
  expect(JSON.stringify(updates[0])).toContain('"Approved"');
});

test('a denial carries the reason; a failed event is logged, not fatal', async () => {
  const { deps, updates, logs } = setup(await rawCsr([{ CN: ['someone.else'] }]), { cached: account, eventError: new Error('forbidden') });
  expect(await processCsr(deps, 'user=jean.doe')).toBe('denied');
  expect(JSON.stringify(updates[0])).toContain('"reason":"SubjectMismatch"');
  await new Promise((resolve) => setImmediate(resolve));
  expect(logs).toEqual([expect.stringMatching(/^denied CSR .*SubjectMismatch/), expect.stringContaining('could not record an event')]);
});

test('a conflict on the approval update asks for a requeue; a vanished CSR is gone', async () => {
  const conflict = setup(await rawCsr(), { cached: account, updateError: new KclError('conflict', 'conflict (409)') });
  expect(await processCsr(conflict.deps, 'user=jean.doe')).toBe('conflict');
  const gone = setup(await rawCsr(), { cached: account });
  gone.deps.api.getRaw = async () => undefined;
  expect(await processCsr(gone.deps, 'user=jean.doe')).toBe('gone');
});
