// A CSR under our name (user=jean.doe) that someone else created: any authenticated user with
// `create` on CSRs can do it, e.g. with a signer nobody handles. Our renewal must not wait on it
// until the timeout and then ask an admin to approve it.
import { afterEach, beforeEach, expect, jest, test } from '@jest/globals';
import { KclError } from '../../../src/errors.js';
import type { FakeApi } from '../../helpers/fake-api.js';
import { type Harness, startFakeApiHarness, lastCredential } from '../../helpers/credential-harness.js';
import { until } from '../../helpers/until.js';

jest.setTimeout(25_000); // below the 30 s --timeout of the cases: a wait for it fails the test

const token = 'squat-test-token-0123456789';
const name = 'user=jean.doe';
const csrPath = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
let api: FakeApi;
let h: Harness;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ api, h, close } = await startFakeApiHarness(token));
});
afterEach(() => close());

/** A pending CSR of our name, as the API server stores one made by `username`, just now (on the tests' clock). */
function plant(username: string, signerName = 'example.com/nobody-signs-this'): string {
  const uid = `planted-${username}`;
  const object = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name, uid, resourceVersion: '1', creationTimestamp: h.clock.now().toISOString() },
    spec: {
      request: Buffer.from('not our key').toString('base64'),
      signerName,
      usages: ['client auth'],
      username,
      groups: ['system:authenticated'],
    },
    status: {},
  };
  api.csrs.set(name, { object });
  return uid;
}

async function failure(run: Promise<void>): Promise<KclError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof KclError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

test("someone else's pending CSR under our name is deleted and the renewal proceeds at once", async () => {
  plant('system:serviceaccount:users:mallory');
  const started = Date.now();
  await h.run({ waitTimeoutSeconds: 30 });
  expect(Date.now() - started).toBeLessThan(10_000); // not the 30 s timeout
  expect(lastCredential(h).status.clientCertificateData).toContain('BEGIN CERTIFICATE');
  expect(api.csrs.get(name)?.object.spec.username).toBe('system:serviceaccount:users:jean.doe');
  expect(api.requests.filter((r) => r.startsWith('DELETE '))).toHaveLength(1);
});

test('when it may not be deleted, the error names its owner and never asks to approve it', async () => {
  plant('system:serviceaccount:users:mallory');
  api.options.fault = { method: 'DELETE', status: 403, body: { kind: 'Status', reason: 'Forbidden', message: 'forbidden' } };
  const error = await failure(h.run({ waitTimeoutSeconds: 30 }));
  expect(error.code).toBe('conflict');
  expect(error.message).toContain(
    'CSR user=jean.doe was made by "system:serviceaccount:users:mallory", not by you ("system:serviceaccount:users:jean.doe")',
  );
  expect(error.message).toContain('kubectl delete csr user=jean.doe');
  expect(error.message).not.toContain('approve user=jean.doe');
});

test("our own user's pending CSR from another machine is still waited for, not deleted", async () => {
  const uid = plant('system:serviceaccount:users:jean.doe', 'kubernetes.io/kube-apiserver-client');
  const run = h.run({ waitTimeoutSeconds: 30 });
  await until(() => api.requests.includes(`GET ${csrPath}?watch`), 'the renewal watching the planted CSR');
  // it watches the planted CSR and asks nothing else of it: no DELETE, no POST of ours over it
  expect(api.requests.filter((r) => r.includes(csrPath) && !r.startsWith('GET '))).toEqual([]);
  await api.decide(name, 'deny'); // it ends (here denied); then ours replaces it
  await run;
  expect(api.csrs.get(name)?.object.metadata.uid).not.toBe(uid);
  expect(lastCredential(h).status.clientCertificateData).toContain('BEGIN CERTIFICATE');
});
