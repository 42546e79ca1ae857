// admin add-user against the in-process HTTPS fake: server-side apply requests, idempotence and a
// groups change, the token Secret wait (and its timeout), TokenRequest (which deletes our leftover
// token Secret, not someone else's), the bundle file, and errors (403, no CA). The real control
// plane: test/e2e/admin.test.ts.
import { afterEach, describe, expect, test } from '@jest/globals';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { addUser, type AddUserDeps } from '../../../src/admin/add-user.js';
import { addUserText } from '../../../src/admin/report.js';
import { createApiClient } from '../../../src/kube/http.js';
import { parseLoginBundle } from '../../../src/setup/login-input.js';
import { type FakeApi, type FakeApiOptions, type FakeRequest, startFakeApi } from '../../helpers/fake-api.js';
import { type ObjectStore, type StoreOptions, createObjectStore } from './object-store.js';
import { tempDir } from '../../helpers/temp-dirs.js';

const adminToken = 'admin-token';
const spec = { name: 'jean.doe', groups: ['devs', 'ops'], usersNamespace: 'users' };
let api: FakeApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(
  storeOptions: StoreOptions = { fillAfterGets: 2 },
  apiOptions: Partial<FakeApiOptions> = {},
): Promise<{ store: ObjectStore; deps: AddUserDeps; clock: { ms: number } }> {
  const store = createObjectStore(storeOptions);
  api = await startFakeApi({ token: adminToken, routes: store.routes, ...apiOptions });
  const client = createApiClient({ server: api.url, certificateAuthorityPem: api.caPem }, adminToken, { httpsProxy: '', noProxy: '' });
  const clock = { ms: Date.parse('2026-05-01T00:00:00Z') };
  const deps: AddUserDeps = { client, now: () => new Date(clock.ms), sleep: async (ms) => void (clock.ms += ms) };
  return { store, deps, clock };
}

function bundleTarget(dir: string, caPem: string | undefined) {
  return {
    file: join(dir, 'jean.bundle'),
    cluster: { name: 'dev', server: 'https://dev.example:6443', ...(caPem ? { certificateAuthorityPem: caPem } : {}) },
  };
}

describe('admin add-user', () => {
  test('applies the nine objects with server-side apply, waits for the token and writes the bundle', async () => {
    const { store, deps } = await start({ fillAfterGets: 2, secretToken: 'secret.token-1' });
    const dir = await tempDir('kcl-admin');
    const bundle = bundleTarget(dir, api?.caPem);
    const result = await addUser(deps, { spec, bundle });

    expect(result.applied.map((a) => `${a.outcome} ${a.ref.kind}`)).toEqual([
      'created Namespace',
      'created ServiceAccount',
      'created ClusterRole',
      'created ClusterRoleBinding',
      'created ValidatingAdmissionPolicy',
      'created ValidatingAdmissionPolicyBinding',
      'created Role',
      'created RoleBinding',
      'created Secret',
    ]);
    for (const request of store.applies) {
      expect(request.headers['content-type']).toBe('application/apply-patch+yaml');
      expect(request.query.get('fieldManager')).toBe('kube-csr-login');
      expect(request.query.get('force')).toBe('true');
    }
    expect(store.applies.map((r) => r.path)).toContain('/apis/rbac.authorization.k8s.io/v1/clusterroles/user%3Djean.doe');
    expect(store.secretGets).toBeGreaterThan(2);

    expect((await stat(bundle.file)).mode & 0o777).toBe(0o600);
    const text = await readFile(bundle.file, 'utf8');
    expect(parseLoginBundle(text, bundle.file)).toEqual({
      server: 'https://dev.example:6443',
      certificateAuthorityPem: api?.caPem,
      token: 'secret.token-1',
      clusterName: 'dev',
    });
    expect(parse(text)).toMatchObject({
      kind: 'Config',
      users: [{ name: 'jean.doe' }],
      contexts: [{ name: 'jean.doe@dev', context: { cluster: 'dev', user: 'jean.doe' } }],
      'current-context': 'jean.doe@dev',
    });

    const output = addUserText(spec, result);
    expect(output).toContain(`kube-csr-login setup --bundle ${bundle.file}`);
    expect(output).not.toContain('secret.token-1');
  });

  test('running it again changes nothing; other groups update only the ServiceAccount', async () => {
    const { store, deps } = await start();
    await addUser(deps, { spec });
    const again = await addUser(deps, { spec });
    expect(again.applied.every((a) => a.outcome === 'unchanged')).toBe(true);
    const regrouped = await addUser(deps, { spec: { ...spec, groups: ['qa'] } });
    expect(regrouped.applied.filter((a) => a.outcome !== 'unchanged').map((a) => `${a.outcome} ${a.ref.kind}`)).toEqual([
      'updated ServiceAccount',
    ]);
    expect(store.objects.get('/api/v1/namespaces/users/serviceaccounts/jean.doe')?.metadata.annotations).toEqual({
      'kube-csr-login.io/groups': 'qa',
    });
    const output = addUserText(spec, regrouped);
    expect(output).toContain('token: in Secret users/jean.doe-token (not printed)');
    expect(output).toContain('--bundle FILE');
    expect(output).not.toContain('secret.token');
  });

  test('a token Secret the token controller never fills times out with a clear error', async () => {
    const { deps, clock } = await start({});
    const started = clock.ms;
    const failure = addUser(deps, { spec, tokenWaitMs: 5_000 });
    await expect(failure).rejects.toMatchObject({
      code: 'timeout',
      message: expect.stringContaining('did not fill Secret users/jean.doe-token within 5 s'),
    });
    expect(clock.ms - started).toBeGreaterThanOrEqual(5_000);
  });

  test('--token-duration: a TokenRequest instead of the Secret', async () => {
    const { store, deps } = await start({ requestedToken: 'requested.token-9' });
    const dir = await tempDir('kcl-admin');
    const bundle = { ...bundleTarget(dir, api?.caPem), server: 'https://public.example' };
    const result = await addUser(deps, { spec, tokenDurationSeconds: 7200, bundle });
    expect(result.applied.map((a) => a.ref.kind)).not.toContain('Secret');
    expect(store.tokenRequests).toEqual([
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 7200 } },
    ]);
    expect(result.tokenExpires).toBeInstanceOf(Date);
    const login = parseLoginBundle(await readFile(bundle.file, 'utf8'), bundle.file);
    expect(login).toMatchObject({ token: 'requested.token-9', server: 'https://public.example' });
    expect(result.oldTokenSecret).toBeUndefined();
    expect(store.deletes).toEqual([]);
    const output = addUserText(spec, result);
    expect(output).not.toContain('requested.token-9');
    expect(output).not.toContain('Secret');
  });

  test('--token-duration deletes the token Secret an earlier run created (only that very object)', async () => {
    const { store, deps } = await start({ fillAfterGets: 0 });
    const dir = await tempDir('kcl-admin');
    await addUser(deps, { spec, bundle: bundleTarget(dir, api?.caPem) });
    const secretPath = '/api/v1/namespaces/users/secrets/jean.doe-token';
    const uid = store.objects.get(secretPath)?.metadata.uid;

    const result = await addUser(deps, { spec, tokenDurationSeconds: 3600, bundle: bundleTarget(dir, api?.caPem) });
    expect(result.oldTokenSecret).toEqual({ namespace: 'users', name: 'jean.doe-token', outcome: 'deleted' });
    expect(store.objects.has(secretPath)).toBe(false);
    expect(store.deletes.map((r) => [r.path, JSON.parse(r.body).preconditions])).toEqual([[secretPath, { uid }]]);
    expect(addUserText(spec, result)).toContain(
      'deleted Secret users/jean.doe-token: its long-lived token no longer works (within ~10 s: the API server caches accepted tokens)\n',
    );

    const again = await addUser(deps, { spec, tokenDurationSeconds: 3600, bundle: bundleTarget(dir, api?.caPem) });
    expect(again.oldTokenSecret).toBeUndefined();
    expect(addUserText(spec, again)).not.toContain('Secret');
  });

  test('--token-duration leaves a Secret NAME-token it does not manage, with a warning', async () => {
    const { store, deps } = await start();
    const secretPath = '/api/v1/namespaces/users/secrets/jean.doe-token';
    store.put(secretPath, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: { name: 'jean.doe-token', namespace: 'users' },
      data: { token: 'b3RoZXI=' },
    });
    const dir = await tempDir('kcl-admin');
    const result = await addUser(deps, { spec, tokenDurationSeconds: 3600, bundle: bundleTarget(dir, api?.caPem) });
    expect(result.oldTokenSecret).toEqual({ namespace: 'users', name: 'jean.doe-token', outcome: 'unmanaged' });
    expect(store.objects.has(secretPath)).toBe(true);
    expect(store.deletes).toEqual([]);
    expect(addUserText(spec, result)).toMatch(
      /^warning: Secret users\/jean\.doe-token is not managed by kube-csr-login .*: left in place; a long-lived token it holds still works/m,
    );
  });

  test('--token-duration does not delete a token Secret replaced after it was read', async () => {
    const { store, deps } = await start({ fillAfterGets: 0 });
    await addUser(deps, { spec });
    const secretPath = '/api/v1/namespaces/users/secrets/jean.doe-token';
    const original = store.objects.get(secretPath);
    const replaced = { ...original, metadata: { ...original?.metadata, uid: 'uid-replacement' } };
    // someone deletes and recreates the Secret between our GET and our DELETE
    const routes = (request: FakeRequest) => {
      const answer = store.routes(request);
      if (request.method === 'GET' && request.path === secretPath) store.objects.set(secretPath, replaced);
      return answer;
    };
    if (api) api.options.routes = routes;
    const dir = await tempDir('kcl-admin');
    const failure = addUser(deps, { spec, tokenDurationSeconds: 3600, bundle: bundleTarget(dir, api?.caPem) });
    await expect(failure).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('could not delete Secret users/jean.doe-token: conflict (409)'),
    });
    expect(store.objects.get(secretPath)?.metadata.uid).toBe('uid-replacement');
  });

  test('403 becomes one forbidden error naming the object', async () => {
    const message = 'namespaces "users" is forbidden: User "bob" cannot patch resource "namespaces" in API group "" at the cluster scope';
    const { deps } = await start({}, { fault: { status: 403, body: { kind: 'Status', reason: 'Forbidden', message } } });
    await expect(addUser(deps, { spec })).rejects.toMatchObject({
      code: 'forbidden',
      message: `could not apply Namespace users: permission denied (403): ${message}`,
    });
  });

  test('a bundle needs the cluster CA: refused before anything is applied', async () => {
    const { store, deps } = await start();
    const dir = await tempDir('kcl-admin');
    await expect(addUser(deps, { spec, bundle: bundleTarget(dir, undefined) })).rejects.toMatchObject({
      code: 'config',
      message: expect.stringContaining('no certificate-authority'),
    });
    expect(store.applies).toEqual([]);
  });

  test('a bundle path in a missing directory is refused before anything is applied', async () => {
    const { store, deps } = await start();
    const target = { ...bundleTarget('/nonexistent-dir', api?.caPem) };
    await expect(addUser(deps, { spec, bundle: target })).rejects.toMatchObject({
      code: 'config',
      message: expect.stringContaining('the directory /nonexistent-dir is missing or not writable'),
    });
    expect(store.applies).toEqual([]);
  });

  test('--token-duration without a bundle is a usage error', async () => {
    const { deps } = await start();
    await expect(addUser(deps, { spec, tokenDurationSeconds: 3600 })).rejects.toMatchObject({ code: 'usage' });
  });
});
