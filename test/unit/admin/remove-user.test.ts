// admin remove-user against the HTTPS fake: deletes the user's objects in order, an object already
// gone is fine, and a ServiceAccount kube-csr-login does not manage is left alone.
import { afterEach, describe, expect, test } from '@jest/globals';
import { addUser } from '../../../src/admin/add-user.js';
import { removeUser } from '../../../src/admin/remove-user.js';
import { removeUserText } from '../../../src/admin/report.js';
import { createApiClient } from '../../../src/kube/http.js';
import { type FakeApi, startFakeApi } from '../../helpers/fake-api.js';
import { createObjectStore } from './object-store.js';

const adminToken = 'admin-token';
const user = { name: 'jean.doe', usersNamespace: 'users' };
let api: FakeApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start() {
  const store = createObjectStore({ fillAfterGets: 0 });
  api = await startFakeApi({ token: adminToken, routes: store.routes });
  const client = createApiClient({ server: api.url, certificateAuthorityPem: api.caPem }, adminToken, { httpsProxy: '', noProxy: '' });
  return { store, client };
}

describe('admin remove-user', () => {
  test('deletes the six objects, keeps the namespace and its CSR-name policy; a second run finds them gone', async () => {
    const { store, client } = await start();
    await addUser({ client, now: () => new Date(), sleep: async () => undefined }, { spec: { ...user, groups: ['devs'] } });
    const removed = await removeUser(client, user);
    expect(removed.map((r) => `${r.outcome} ${r.ref.kind}`)).toEqual([
      'removed Secret',
      'removed ServiceAccount',
      'removed Role',
      'removed RoleBinding',
      'removed ClusterRole',
      'removed ClusterRoleBinding',
    ]);
    expect([...store.objects.keys()]).toEqual([
      // shared by the namespace's other users
      '/api/v1/namespaces/users',
      '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/kube-csr-login-csr-names-users',
      '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/kube-csr-login-csr-names-users',
    ]);
    const text = removeUserText(user, removed);
    expect(text).toContain('removed   ServiceAccount users/jean.doe');
    expect(text).toContain('stay valid until they expire');

    const again = await removeUser(client, user);
    expect(again.every((r) => r.outcome === 'absent')).toBe(true);
  });

  test('refuses a ServiceAccount without the managed-by label', async () => {
    const { store, client } = await start();
    store.put('/api/v1/namespaces/users/serviceaccounts/jean.doe', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'jean.doe', namespace: 'users' },
    });
    await expect(removeUser(client, user)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('not managed by kube-csr-login'),
    });
    expect(store.objects.size).toBe(1);
  });

  test('403 on delete is one forbidden error', async () => {
    const { client } = await start();
    if (api)
      api.options.fault = { method: 'DELETE', status: 403, body: { kind: 'Status', message: 'secrets "jean.doe-token" is forbidden' } };
    await expect(removeUser(client, user)).rejects.toMatchObject({
      code: 'forbidden',
      message: 'could not delete Secret users/jean.doe-token: permission denied (403): secrets "jean.doe-token" is forbidden',
    });
  });
});
