// The approver's permission check: it asks a SelfSubjectAccessReview for each call it makes and is
// ready only when all are allowed; a missing one is named in one log line (not repeated while
// nothing changes), and an API server it cannot ask makes it unready with the reason.
import { afterEach, expect, test } from '@jest/globals';
import { permissionCheck } from '../../../src/approver/permissions.js';
import { createApiClient } from '../../../src/kube/http.js';
import { type FakeApi, startFakeApi } from '../../helpers/fake-api.js';

let api: FakeApi | undefined;
afterEach(async () => api?.close());
const token = 'approver-token';

async function check(denied: (attributes: Record<string, string>) => boolean, unreachable = false) {
  const asked: Record<string, string>[] = [];
  api = await startFakeApi({
    token,
    routes: ({ method, path, body }) => {
      if (method !== 'POST' || path !== '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') return undefined;
      const attributes = (JSON.parse(body) as { spec: { resourceAttributes: Record<string, string> } }).spec.resourceAttributes;
      asked.push(attributes);
      return { status: 201, body: { kind: 'SelfSubjectAccessReview', status: { allowed: !denied(attributes) } } };
    },
  });
  const client = createApiClient({ server: api.url, certificateAuthorityPem: api.caPem }, token, { httpsProxy: '', noProxy: '' });
  if (unreachable) {
    await api.close();
    api = undefined;
  }
  const lines: string[] = [];
  const permissions = permissionCheck(
    client,
    { usersNamespace: 'users', lease: { namespace: 'kcl', name: 'kube-csr-login-approver' }, dryRun: false },
    (l) => lines.push(l),
  );
  await permissions.check();
  await permissions.check();
  return { granted: permissions.granted(), lines, asked };
}

test('every call the approver makes is asked about; all allowed: granted, one line', async () => {
  const { granted, lines, asked } = await check(() => false);
  expect(granted).toBe(true);
  expect(lines).toEqual(['permissions: all granted']);
  const key = (a: Record<string, string>) => [a.verb, a.group, a.resource, a.subresource ?? '', a.name ?? '', a.namespace ?? ''].join(' ');
  expect(
    asked
      .slice(0, asked.length / 2)
      .map(key)
      .sort(),
  ).toEqual(
    [
      'get certificates.k8s.io certificatesigningrequests   ',
      'list certificates.k8s.io certificatesigningrequests   ',
      'watch certificates.k8s.io certificatesigningrequests   ',
      'update certificates.k8s.io certificatesigningrequests approval  ',
      'approve certificates.k8s.io signers  kubernetes.io/kube-apiserver-client ',
      'get  serviceaccounts   users',
      'create coordination.k8s.io leases   kcl',
      'get coordination.k8s.io leases  kube-csr-login-approver kcl',
      'update coordination.k8s.io leases  kube-csr-login-approver kcl',
      'create  events   default',
    ].sort(),
  );
});

test('a missing verb and a missing users-namespace Role: not granted, named once', async () => {
  const { granted, lines } = await check((a) => a.verb === 'watch' || a.resource === 'serviceaccounts');
  expect(granted).toBe(false);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    /^permissions: not ready, missing watch certificatesigningrequests\.certificates\.k8s\.io; get serviceaccounts in namespace users \(.*a missing users namespace users has no Role either\)$/,
  );
});

test('an API server it cannot reach: not granted, with the reason', async () => {
  const { granted, lines } = await check(() => false, true);
  expect(granted).toBe(false);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    /^permissions: not ready, cannot ask the API server: cannot reach the API server at 127\.0\.0\.1:\d+: ECONNREFUSED$/,
  );
});
