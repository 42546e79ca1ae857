import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { type FakeApi, startFakeApi } from '../../helpers/fake-api.js';
import { type Harness, startFakeApiHarness, lastCredential } from '../../helpers/credential-harness.js';
import { until } from '../../helpers/until.js';
import { KclError } from '../../../src/errors.js';

const token = 'test-token-value-0123456789';
let api: FakeApi;
let h: Harness;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ api, h, close } = await startFakeApiHarness(token)); // the server's clock stands still at testEpoch
});
afterEach(() => close());

/** Until the plugin has created the CSR and opened its watch (a change before the watch is replayed). */
async function untilCreated(fake: FakeApi, name: string): Promise<void> {
  await until(() => fake.csrs.has(name) && fake.requests.some((r) => r.endsWith('?watch')), `CSR ${name} created and watched`);
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

describe('get-credential', () => {
  test('a missing cache is renewed through the CSR API and cached with strict modes', async () => {
    await h.run();
    const credential = lastCredential(h);
    expect(credential.apiVersion).toBe('client.authentication.k8s.io/v1');
    const leaf = new X509Certificate(credential.status.clientCertificateData ?? '');
    expect(leaf.subject).toBe('CN=jean.doe\nO=devs');
    expect(leaf.checkPrivateKey(await import('node:crypto').then((c) => c.createPrivateKey(credential.status.clientKeyData ?? '')))).toBe(
      true,
    );
    // expirationTimestamp is the renewal deadline, inside the validity period, not NotAfter.
    const expiry = new Date(credential.status.expirationTimestamp ?? '');
    expect(expiry.getTime()).toBeLessThan(new Date(leaf.validTo).getTime());
    expect(api.created).toBe(1);
    const dir = path.join(h.cacheDir, 'test');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(dir, 'credential.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'exec-credential'))).mode & 0o777).toBe(0o600);
    await expect(stat(path.join(dir, 'pending.json'))).rejects.toThrow();
  });

  test('a second call is served from the cache without contacting the API', async () => {
    await h.run();
    const requests = api.requests.length;
    await h.run();
    expect(api.requests.length).toBe(requests);
    expect(h.stdout[1]).toBe(h.stdout[0]);
  });

  test('past the renewal deadline the valid certificate is served and a background renewal starts', async () => {
    await h.run();
    const expiry = new Date(lastCredential(h).status.expirationTimestamp ?? '');
    h.clock.set(new Date(expiry.getTime() + 1000));
    await h.run();
    expect(h.backgroundStarts).toBe(1);
    expect(api.created).toBe(1);
    const second = new Date(lastCredential(h).status.expirationTimestamp ?? '');
    expect(second.getTime()).toBeLessThanOrEqual(expiry.getTime() + 62_000);
  });

  test("past the deadline, the profile's recheckSeconds says how soon the client asks again", async () => {
    await mkdir(path.join(h.configDir, 'profiles'), { recursive: true });
    await writeFile(path.join(h.configDir, 'profiles', 'test.json'), JSON.stringify({ version: 1, recheckSeconds: 5 }));
    await h.run();
    const deadline = new Date(lastCredential(h).status.expirationTimestamp ?? '');
    h.clock.set(new Date(deadline.getTime() + 1000));
    await h.run();
    const next = new Date(lastCredential(h).status.expirationTimestamp ?? '').getTime();
    const now = h.clock.now().getTime();
    expect(next).toBeGreaterThan(now);
    expect(next).toBeLessThanOrEqual(now + 5_000);
    await writeFile(path.join(h.configDir, 'profiles', 'test.json'), JSON.stringify({ version: 1, recheckSeconds: 0 }));
    expect((await failure(h.run())).message).toContain('recheckSeconds');
  });

  test('an expired certificate is renewed before answering', async () => {
    await h.run();
    h.clock.advance(2 * 3600_000);
    api.options.lifetimeMs = 4 * 3600_000;
    await h.run();
    expect(api.created).toBe(2);
  });

  test('switching token or user never reuses the cached identity', async () => {
    await h.run();
    await h.run({ user: 'other.user' });
    expect(api.created).toBe(2);
    expect(new X509Certificate(lastCredential(h).status.clientCertificateData ?? '').subject).toBe('CN=other.user\nO=devs');
  });

  test('answers with the apiVersion of KUBERNETES_EXEC_INFO', async () => {
    h.execInfoRaw = JSON.stringify({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      kind: 'ExecCredential',
      spec: { interactive: false, cluster: { server: api.url, 'certificate-authority-data': Buffer.from(api.caPem).toString('base64') } },
    });
    await h.run();
    expect(lastCredential(h).apiVersion).toBe('client.authentication.k8s.io/v1beta1');
  });

  test.each([
    ['not json', '{'],
    ['wrong kind', '{"apiVersion":"client.authentication.k8s.io/v1","kind":"Pod"}'],
    ['unknown version', '{"apiVersion":"client.authentication.k8s.io/v2","kind":"ExecCredential"}'],
    ['bad server', '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"cluster":{"server":"http://x"}}}'],
  ])('malformed KUBERNETES_EXEC_INFO (%s) is a usage error', async (_name, raw) => {
    h.execInfoRaw = raw;
    expect((await failure(h.run())).code).toBe('usage');
    expect(h.stdout).toEqual([]);
  });

  test('a corrupted cache entry is discarded and renewed', async () => {
    await h.run();
    await writeFile(path.join(h.cacheDir, 'test', 'credential.json'), '{"version":1,"identity":');
    await h.run();
    expect(api.created).toBe(2);
  });

  test('a cache entry whose key does not match its certificate is renewed', async () => {
    await h.run();
    const file = path.join(h.cacheDir, 'test', 'credential.json');
    const entry = JSON.parse(await readFile(file, 'utf8'));
    const { generatePrivateKeyPem } = await import('../../../src/pki/csr.js');
    entry.privateKeyPem = await generatePrivateKeyPem('ecdsa-p256');
    await writeFile(file, JSON.stringify(entry));
    await h.run();
    expect(api.created).toBe(2);
  });

  test('a denial quotes the reason and then backs off without new CSRs', async () => {
    api.options.decision = 'deny';
    const error = await failure(h.run());
    expect(error.code).toBe('denied');
    expect(error.message).toContain('TestDenied');
    const again = await failure(h.run());
    expect(again.code).toBe('denied');
    expect(again.message).toContain('not retrying before');
    expect(api.created).toBe(1);
  });

  test('a signer failure is reported', async () => {
    api.options.decision = 'fail';
    expect((await failure(h.run())).code).toBe('failed');
  });

  test('a rejected token says to ask for a new one', async () => {
    await writeFile(h.tokenFile, 'revoked-token');
    const error = await failure(h.run());
    expect(error.code).toBe('unauthorized');
    expect(error.message).toContain('ask your admin for a new token');
    expect(error.message).not.toContain('revoked-token');
  });

  test('forbidden names the missing permission', async () => {
    api.options.fault = {
      method: 'POST',
      status: 403,
      body: { kind: 'Status', message: 'User "x" cannot create resource "certificatesigningrequests"' },
    };
    const error = await failure(h.run());
    expect(error.code).toBe('forbidden');
    expect(error.message).toContain('cannot create resource');
  });

  test('a 403 that is gone a moment later (an API server still starting) is retried, with no back-off', async () => {
    api.options.fault = {
      method: 'POST',
      status: 403,
      body: { kind: 'Status', message: 'User "x" cannot create resource "certificatesigningrequests"' },
      times: 1,
    };
    await h.run();
    expect(lastCredential(h).status.clientCertificateData).toContain('BEGIN CERTIFICATE');
    await expect(stat(path.join(h.cacheDir, 'test', 'backoff.json'))).rejects.toThrow();
  });

  test('server errors are reported as such', async () => {
    api.options.fault = { status: 500 };
    expect((await failure(h.run())).code).toBe('server');
  });

  test('an unreachable server is reported', async () => {
    const error = await failure(h.run({ server: 'https://127.0.0.1:1' }));
    expect(error.code).toBe('unreachable');
  });

  test('a server with an unknown CA is a TLS failure', async () => {
    const other = await startFakeApi({ token });
    try {
      expect((await failure(h.run({ server: other.url }))).code).toBe('tls');
    } finally {
      await other.close();
    }
  });

  test('no approval within the timeout names the CSR and the approve command', async () => {
    api.options.decision = 'none';
    const error = await failure(h.run({ waitTimeoutSeconds: 1 }));
    expect(error.code).toBe('timeout');
    expect(error.message).toContain('kubectl certificate approve user=jean.doe');
  });

  test('an interrupted renewal resumes on the same CSR and key', async () => {
    api.options.decision = 'none';
    await failure(h.run({ waitTimeoutSeconds: 1 }));
    expect(api.csrs.has('user=jean.doe')).toBe(true);
    const run = h.run();
    await untilCreated(api, 'user=jean.doe');
    await api.decide('user=jean.doe', 'approve');
    await run;
    expect(api.created).toBe(1);
  });

  test('a dropped watch is resumed', async () => {
    api.options.dropWatches = 2;
    api.options.decision = 'none';
    const run = h.run();
    await untilCreated(api, 'user=jean.doe');
    await api.decide('user=jean.doe', 'approve');
    await run;
    expect(lastCredential(h).status.clientCertificateData).toContain('BEGIN CERTIFICATE');
  });

  test('an unreadable token file is a config error', async () => {
    const error = await failure(h.run({ tokenFile: path.join(h.root, 'missing') }));
    expect(error.code).toBe('config');
    expect(error.message).toContain('token file');
  });

  test.each([
    ['behind', -10 * 60_000],
    ['ahead', 10 * 60_000],
  ])('a client clock %s by 10 minutes still gets, caches and serves a certificate', async (_name, offsetMs) => {
    h.clock.advance(offsetMs);
    await h.run();
    await h.run();
    expect(api.created).toBe(1);
    const expiry = new Date(lastCredential(h).status.expirationTimestamp ?? '');
    expect(expiry.getTime()).toBeGreaterThan(h.clock.now().getTime());
  });

  test('a client clock far ahead of the certificate says to check the clock', async () => {
    h.clock.advance(3 * 3600_000);
    const error = await failure(h.run());
    expect(error.message).toContain('check the clock');
  });

  test('a CSR deleted while waiting is a clear error', async () => {
    api.options.decision = 'none';
    const run = h.run();
    await untilCreated(api, 'user=jean.doe');
    await api.remove('user=jean.doe');
    const error = await failure(run);
    expect(error.message).toContain('was deleted while waiting');
  });

  test('a failed background renewal keeps the valid certificate served, without a retry storm', async () => {
    await h.run();
    const expiry = new Date(lastCredential(h).status.expirationTimestamp ?? '');
    h.clock.set(new Date(expiry.getTime() + 1000));
    api.options.decision = 'deny';
    await expect(h.run({}, { background: true })).rejects.toThrow('denied');
    await h.run();
    await h.run();
    expect(lastCredential(h).status.clientCertificateData).toContain('BEGIN CERTIFICATE');
    expect(h.backgroundStarts).toBe(0); // backing off: no new background renewal per call
    expect(api.created).toBe(2);
  });
});
