// In-cluster configuration read without @kubernetes/client-node: the server from
// KUBERNETES_SERVICE_HOST/PORT (IPv6 bracketed), the CA and the token from the pod's ServiceAccount
// files, the token re-read once a minute (rotation) and kept when a re-read fails.
import { expect, test } from '@jest/globals';
import { inClusterClient, inClusterServer, serviceAccountDir } from '../../../src/kube/in-cluster.js';
import { startFakeApi } from '../../helpers/fake-api.js';

test('the server URL comes from the service host and port', () => {
  expect(inClusterServer({ KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' })).toBe('https://10.0.0.1');
  expect(inClusterServer({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' })).toBe('https://[fd00::1]:6443');
  for (const env of [
    { KUBERNETES_SERVICE_HOST: '10.0.0.1' },
    { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '0' },
    { KUBERNETES_SERVICE_HOST: 'a/b', KUBERNETES_SERVICE_PORT: '443' },
    { KUBERNETES_SERVICE_HOST: 'x@y', KUBERNETES_SERVICE_PORT: '443' },
  ]) {
    expect(() => inClusterServer(env)).toThrow(/KUBERNETES_SERVICE/);
  }
});

test('requests carry the pod token, re-read after a minute; a failed re-read keeps the last good one', async () => {
  const api = await startFakeApi({
    token: 'token-one',
    routes: (request) => (request.path === '/version' ? { status: 200, body: { gitVersion: 'v1.37.2' } } : undefined),
  });
  try {
    const url = new URL(api.url);
    const files = new Map([
      [`${serviceAccountDir}/ca.crt`, api.caPem],
      [`${serviceAccountDir}/token`, 'token-one\n'],
    ]);
    const reads: string[] = [];
    let now = 0;
    const { client, server } = await inClusterClient({
      env: { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port },
      readText: async (file) => {
        reads.push(file.slice(serviceAccountDir.length + 1));
        const text = files.get(file);
        if (text === undefined) throw new Error('ENOENT');
        return text;
      },
      nowMs: () => now,
    });
    expect(server).toBe(api.url.replace(/\/$/, ''));
    const list = () => client.json({ method: 'GET', path: '/version', timeoutMs: 5000 });
    await expect(list()).resolves.toBeDefined();
    // kubelet rotated the token: the old one is still used within the minute, the new one after
    api.options.token = 'token-two';
    files.set(`${serviceAccountDir}/token`, 'token-two');
    now = 59_000;
    await expect(list()).rejects.toThrow(/401/);
    now = 60_000;
    await expect(list()).resolves.toBeDefined();
    files.delete(`${serviceAccountDir}/token`);
    now = 130_000;
    await expect(list()).resolves.toBeDefined();
    expect(reads).toEqual(['ca.crt', 'token', 'token', 'token']);
  } finally {
    await api.close();
  }
});

test('missing or malformed pod files are configuration errors that name the file, never the token', async () => {
  const env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '6443' };
  const files = (token: string | undefined) => async (file: string) => {
    if (file.endsWith('ca.crt')) return 'CA';
    if (token === undefined) throw new Error('ENOENT: no such file');
    return token;
  };
  await expect(inClusterClient({ env, readText: files(undefined), nowMs: () => 0 })).rejects.toMatchObject({
    code: 'config',
    message: expect.stringContaining(`${serviceAccountDir}/token`),
  });
  const error = await inClusterClient({ env, readText: files('secret-part\nsecond-line'), nowMs: () => 0 }).catch((e: Error) => e);
  expect(error).toMatchObject({ code: 'config' });
  expect(String((error as Error).message)).not.toContain('secret-part');
});
