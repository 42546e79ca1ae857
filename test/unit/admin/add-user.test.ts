// admin add-user against the in-process HTTPS fake: server-side apply requests, idempotence and a
// groups change, the token Secret wait (and its timeout), TokenRequest, the bundle file, and errors
// (403, no CA). The real control plane: test/e2e/admin.test.ts.
import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { addUser, type AddUserDeps } from '../../../src/admin/add-user.js';
import { addUserText } from '../../../src/admin/report.js';
import { createApiClient } from '../../../src/kube/http.js';
import { parseLoginBundle } from '../../../src/setup/login-input.js';
import { type FakeApi, type FakeApiOptions, startFakeApi } from '../../helpers/fake-api.js';
import { type ObjectStore, type StoreOptions, createObjectStore } from './object-store.js';

const adminToken = 'admin-token';
const spec = { name: 'jean.doe', groups: ['devs', 'ops'], usersNamespace: 'users' };
let api: FakeApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(storeOptions: StoreOptions = { fillAfterGets: 2 }, apiOptions: Partial<FakeApiOptions> = {}): Promise<{ store: ObjectStore; deps: AddUserDeps; clock: { ms: number } }> {
  const store = createObjectStore(storeOptions);
  api = await startFakeApi({ token: adminToken, routes: store.routes, ...apiOptions });
  const client = createApiClient({ server: api.url, certificateAuthorityPem: api.caPem, insecureSkipTlsVerify: false }, adminToken);
  const clock = { ms: Date.parse('2026-05-01T00:00:00Z') };
  const deps: AddUserDeps = { client, now: () => new Date(clock.ms), sleep: async (ms) => void (clock.ms += ms) };
  return { store, deps, clock };
}

function bundleTarget(dir: string, caPem: string | undefined) {
  return { file: join(dir, 'jean.bundle'), cluster: { name: 'dev', server: 'https://dev.example:6443', ...(caPem ? { certificateAuthorityPem: caPem } : {}) } };
}

describe('admin add-user', () => {
  test('applies the seven objects with server-side apply, waits for the token and writes the bundle', async () => {
    const { store, deps } = await start({ fillAfterGets: 2, secretToken: 'secret.token-1' });
    const dir = await mkdtemp(join(tmpdir(), 'kcl-admin-'));
    const bundle = bundleTarget(dir, api?.caPem);
    const result = await addUser(deps, { spec, bundle });

    expect(result.applied.map((a) => `${a.outcome} ${a.ref.kind}`)).toEqual([
      'created Namespace', 'created ServiceAccount', 'created ClusterRole', 'created ClusterRoleBinding', 'created Role', 'created RoleBinding', 'created Secret',
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
    expect(parseLoginBundle(text, bundle.file)).toEqual({ server: 'https://dev.example:6443', certificateAuthorityPem: api?.caPem, token: 'secret.token-1', clusterName: 'dev' });
    expect(parse(text)).toMatchObject({ kind: 'Config', users: [{ name: 'jean.doe' }], contexts: [{ name: 'jean.doe@dev', context: { cluster: 'dev', user: 'jean.doe' } }], 'current-context': 'jean.doe@dev' });

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
    expect(regrouped.applied.filter((a) => a.outcome !== 'unchanged').map((a) => `${a.outcome} ${a.ref.kind}`)).toEqual(['updated ServiceAccount']);
    expect(store.objects.get('/api/v1/namespaces/users/serviceaccounts/jean.doe')?.metadata.annotations).toEqual({ 'kube-csr-login.io/groups': 'qa' });
    const output = addUserText(spec, regrouped);
    expect(output).toContain('token: in Secret users/jean.doe-token (not printed)');
    expect(output).toContain('--bundle FILE');
    expect(output).not.toContain('secret.token');
  });

  test('a token Secret the token controller never fills times out with a clear error', async () => {
    const { deps, clock } = await start({});
    const started = clock.ms;
    const failure = addUser(deps, { spec, tokenWaitMs: 5_000 });
    await expect(failure).rejects.toMatchObject({ code: 'timeout', message: expect.stringContaining('did not fill Secret users/jean.doe-token within 5 s') });
    expect(clock.ms - started).toBeGreaterThanOrEqual(5_000);
  });

  test('--token-duration: a TokenRequest instead of the Secret', async () => {
    const { store, deps } = await start({ requestedToken: 'requested.token-9' });
    const dir = await mkdtemp(join(tmpdir(), 'kcl-admin-'));
    const bundle = { ...bundleTarget(dir, api?.caPem), server: 'https://public.example' };
    const result = await addUser(deps, { spec, tokenDurationSeconds: 7200, bundle });
    expect(result.applied.map((a) => a.ref.kind)).not.toContain('Secret');
    expect(store.tokenRequests).toEqual([{ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 7200 } }]);
    expect(result.tokenExpires).toBeInstanceOf(Date);
    const login = parseLoginBundle(await readFile(bundle.file, 'utf8'), bundle.file);
    expect(login).toMatchObject({ token: 'requested.token-9', server: 'https://public.example' });
    expect(addUserText(spec, result)).not.toContain('requested.token-9');
  });

  test('403 becomes one forbidden error naming the object', async () => {
    const message = 'namespaces "users" is forbidden: User "bob" cannot patch resource "namespaces" in API group "" at the cluster scope';
    const { deps } = await start({}, { fault: { status: 403, body: { kind: 'Status', reason: 'Forbidden', message } } });
    await expect(addUser(deps, { spec })).rejects.toMatchObject({ code: 'forbidden', message: `could not apply Namespace users: permission denied (403): ${message}` });
  });

  test('a bundle needs the cluster CA: refused before anything is applied', async () => {
    const { store, deps } = await start();
    const dir = await mkdtemp(join(tmpdir(), 'kcl-admin-'));
    await expect(addUser(deps, { spec, bundle: bundleTarget(dir, undefined) })).rejects.toMatchObject({ code: 'config', message: expect.stringContaining('no certificate-authority') });
    expect(store.applies).toEqual([]);
  });

  test('a bundle path in a missing directory is refused before anything is applied', async () => {
    const { store, deps } = await start();
    const target = { ...bundleTarget('/nonexistent-dir', api?.caPem) };
    await expect(addUser(deps, { spec, bundle: target })).rejects.toMatchObject({ code: 'config', message: expect.stringContaining('the directory /nonexistent-dir is missing or not writable') });
    expect(store.applies).toEqual([]);
  });

  test('--token-duration without a bundle is a usage error', async () => {
    const { deps } = await start();
    await expect(addUser(deps, { spec, tokenDurationSeconds: 3600 })).rejects.toMatchObject({ code: 'usage' });
  });
});
