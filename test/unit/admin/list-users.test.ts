// admin list-users against the HTTPS fake: managed ServiceAccounts only, groups, the user's CSR state
// and certificate expiry, as a table and as JSON.
import { afterEach, describe, expect, test } from '@jest/globals';
import { listUsers } from '../../../src/admin/list-users.js';
import { usersJson, usersTable } from '../../../src/admin/report.js';
import { createApiClient } from '../../../src/kube/http.js';
import { type FakeApi, startFakeApi } from '../../helpers/fake-api.js';
import { createCa } from '../../helpers/pki.js';
import { createObjectStore } from './object-store.js';

const adminToken = 'admin-token';
let api: FakeApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

const labels = { 'app.kubernetes.io/managed-by': 'kube-csr-login' };
const account = (name: string, groups: string, managed = true) => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, namespace: 'users', ...(managed ? { labels } : {}), annotations: { 'kube-csr-login.io/groups': groups } },
});
const csr = (name: string, namespace: string, status: object) => ({
  apiVersion: 'certificates.k8s.io/v1',
  kind: 'CertificateSigningRequest',
  metadata: { name: `user=${name}`, uid: `u-${name}-${namespace}`, resourceVersion: '7', creationTimestamp: '2026-05-01T10:00:00Z' },
  spec: {
    request: 'UkVR',
    signerName: 'kubernetes.io/kube-apiserver-client',
    usages: ['client auth'],
    username: `system:serviceaccount:${namespace}:${name}`,
  },
  status,
});

describe('admin list-users', () => {
  test('managed users with groups, CSR state and certificate expiry', async () => {
    const ca = await createCa('issued');
    const store = createObjectStore();
    store.put('/api/v1/namespaces/users/serviceaccounts/jean.doe', account('jean.doe', 'devs,ops'));
    store.put('/api/v1/namespaces/users/serviceaccounts/ann', account('ann', 'qa'));
    store.put('/api/v1/namespaces/users/serviceaccounts/bob', account('bob', 'qa'));
    store.put('/api/v1/namespaces/users/serviceaccounts/robot', account('robot', 'x', false));
    const csrs = [
      csr('jean.doe', 'users', {
        certificate: Buffer.from(ca.certificatePem).toString('base64'),
        conditions: [{ type: 'Approved', status: 'True' }],
      }),
      csr('ann', 'other-users', {}), // same name, another namespace: not ann's
      csr('bob', 'users', { conditions: [{ type: 'Denied', status: 'True' }] }),
    ];
    api = await startFakeApi({
      token: adminToken,
      routes: (request) =>
        request.method === 'GET' && request.path === '/apis/certificates.k8s.io/v1/certificatesigningrequests'
          ? { status: 200, body: { items: csrs } }
          : store.routes(request),
    });
    const client = createApiClient({ server: api.url, certificateAuthorityPem: api.caPem }, adminToken, { httpsProxy: '', noProxy: '' });
    const rows = await listUsers(client, 'users');
    expect(rows.map((r) => [r.name, r.groups, r.csr?.state ?? null])).toEqual([
      ['ann', ['qa'], null],
      ['bob', ['qa'], 'Denied'],
      ['jean.doe', ['devs', 'ops'], 'Issued'],
    ]);
    const notAfter = ca.certificate.notAfter;
    expect(rows[2]?.certificateExpires?.getTime()).toBe(Math.floor(notAfter.getTime() / 1000) * 1000);

    const table = usersTable('users', rows, new Date(notAfter.getTime() - 2 * 3600_000));
    expect(table.split('\n')[0]).toMatch(/^NAME\s+GROUPS\s+CSR CREATED\s+CSR\s+CERTIFICATE EXPIRES$/);
    expect(table).toMatch(/jean\.doe\s+devs,ops\s+2026-05-01T10:00:00Z\s+Issued\s+\S+Z \(in 2h\)/);
    const json = JSON.parse(usersJson('users', rows));
    expect(json.users[2]).toEqual({
      name: 'jean.doe',
      groups: ['devs', 'ops'],
      csr: { name: 'user=jean.doe', created: '2026-05-01T10:00:00.000Z', state: 'Issued' },
      certificateExpires: expect.any(String),
    });
    expect(json.users[0].csr).toBeNull();
  });

  test('no users: a plain sentence, and no CSR list call', async () => {
    const store = createObjectStore();
    api = await startFakeApi({ token: adminToken, routes: store.routes });
    const client = createApiClient({ server: api.url, certificateAuthorityPem: api.caPem }, adminToken, { httpsProxy: '', noProxy: '' });
    expect(await listUsers(client, 'users')).toEqual([]);
    expect(usersTable('users', [], new Date())).toBe('no kube-csr-login users in namespace users\n');
    expect(api.requests).toEqual(['GET /api/v1/namespaces/users/serviceaccounts']);
  });
});
