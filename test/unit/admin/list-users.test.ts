// admin list-users against the HTTPS fake: managed ServiceAccounts only, groups, the user's CSR state,
// certificate expiry and credential id, the token's last use, the approver's records once the CSR is
// gone, as a table and as JSON.
import { X509Certificate, createHash } from 'node:crypto';
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
    store.put('/api/v1/namespaces/users/secrets/jean.doe-token', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'jean.doe-token',
        namespace: 'users',
        labels: { ...labels, 'kubernetes.io/legacy-token-last-used': '2026-04-30' },
        annotations: { 'kubernetes.io/service-account.name': 'jean.doe' },
      },
    });
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

    const credentialId = `X509SHA256=${createHash('sha256').update(new X509Certificate(ca.certificatePem).raw).digest('hex')}`;
    expect(rows[2]).toMatchObject({ credentialId, lastRenewal: new Date('2026-05-01T10:00:00Z'), tokenLastUsed: '2026-04-30' });
    expect(rows[1]?.credentialId).toBeUndefined();

    const table = usersTable('users', rows, new Date(notAfter.getTime() - 2 * 3600_000));
    expect(table.split('\n')[0]).toMatch(
      /^NAME\s+GROUPS\s+CSR CREATED\s+CSR\s+CERTIFICATE EXPIRES\s+LAST RENEWAL\s+TOKEN LAST USED\s+CREDENTIAL ID$/,
    );
    expect(table).toMatch(
      new RegExp(
        `jean\\.doe\\s+devs,ops\\s+2026-05-01T10:00:00Z\\s+Issued\\s+\\S+Z \\(in 2h\\)\\s+2026-05-01T10:00:00Z\\s+2026-04-30\\s+${credentialId}`,
      ),
    );
    const json = JSON.parse(usersJson('users', rows));
    expect(json.users[2]).toEqual({
      name: 'jean.doe',
      groups: ['devs', 'ops'],
      csr: { name: 'user=jean.doe', created: '2026-05-01T10:00:00.000Z', state: 'Issued' },
      certificateExpires: expect.any(String),
      credentialId,
      lastRenewal: '2026-05-01T10:00:00.000Z',
      tokenLastUsed: '2026-04-30',
    });
    expect(json.users[0].csr).toBeNull();
  });

  test("once the CSR is gone, the newest issuance record of the user's ServiceAccount UID stands in", async () => {
    const store = createObjectStore();
    const uid = 'sa-uid-2';
    const jean = account('jean.doe', 'devs');
    store.put('/api/v1/namespaces/users/serviceaccounts/jean.doe', { ...jean, metadata: { ...jean.metadata, uid } });
    api = await startFakeApi({
      token: adminToken,
      routes: (request) => {
        if (request.path === '/apis/certificates.k8s.io/v1/certificatesigningrequests') return { status: 200, body: { items: [] } };
        // Secrets as metadata only (never the tokens); kube-apiserver sends an empty one with "items": null
        if (request.path === '/api/v1/namespaces/users/secrets') {
          const metadataOnly = request.headers.accept === 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
          return metadataOnly ? { status: 200, body: { kind: 'PartialObjectMetadataList', items: null } } : { status: 406, body: {} };
        }
        return store.routes(request);
      },
    });
    const client = createApiClient({ server: api.url, certificateAuthorityPem: api.caPem }, adminToken, { httpsProxy: '', noProxy: '' });
    const record = (id: string, serviceAccountUid: string, day: number) => ({
      credentialId: `X509SHA256=${id.repeat(64)}`,
      user: 'jean.doe',
      groups: ['devs'],
      serviceAccount: 'jean.doe',
      serviceAccountNamespace: 'users',
      serviceAccountUid,
      notBefore: new Date(Date.UTC(2026, 4, day)),
      notAfter: new Date(Date.UTC(2026, 4, day, 1)),
      csr: 'user=jean.doe',
      csrUid: `csr-${id}`,
      issuedAt: new Date(Date.UTC(2026, 4, day, 0, 5)),
    });
    // a newer certificate of an earlier jean.doe (removed, re-added: another UID) is not this one's
    const rows = await listUsers(client, 'users', [record('a', uid, 2), record('b', uid, 3), record('c', 'an-older-uid', 4)]);
    expect(rows[0]).toMatchObject({
      credentialId: `X509SHA256=${'b'.repeat(64)}`,
      certificateExpires: new Date(Date.UTC(2026, 4, 3, 1)),
      lastRenewal: new Date(Date.UTC(2026, 4, 3, 0, 5)),
    });
    expect(rows[0]?.csr).toBeUndefined();
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
