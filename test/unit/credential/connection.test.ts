// Where the long-term token may go: only to the server and CA recorded by setup (the profile) or
// given explicitly by flags, verified with that CA. KUBERNETES_EXEC_INFO names whatever kubectl was
// pointed at (`kubectl --server`, another context, --insecure-skip-tls-verify): a foreign server
// there must receive nothing, and must not split or spoil the cache of the real one.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { KclError } from '../../../src/errors.js';
import type { CredentialFlags } from '../../../src/credential/settings.js';
import { type Harness, startFakeApiHarness, lastCredential } from '../../helpers/credential-harness.js';
import { testEpoch } from '../../helpers/clock.js';
import { type FakeApi, startFakeApi } from '../../helpers/fake-api.js';
import { type TestProxy, startConnectProxy } from '../../helpers/proxies.js';

const token = 'connection-test-token-0123456789';
let api: FakeApi;
let foreign: FakeApi;
let h: Harness;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ api, h, close } = await startFakeApiHarness(token));
  foreign = await startFakeApi({ token, now: () => testEpoch }); // would accept the token: it must never see it
});
afterEach(async () => {
  await Promise.all([close(), foreign.close()]);
});

function execInfo(cluster: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', spec: { interactive: false, cluster } });
}

const foreignCluster = (extra: Record<string, unknown> = {}) => ({
  server: foreign.url,
  'certificate-authority-data': Buffer.from(foreign.caPem).toString('base64'),
  ...extra,
});

/** Only the profile: what `setup` writes; the stanza passes just --profile. */
const profileOnly: Partial<CredentialFlags> = {
  server: undefined,
  certificateAuthority: undefined,
  tokenFile: undefined,
  user: undefined,
  groups: undefined,
};

async function writeProfile(extra: Record<string, unknown> = {}): Promise<void> {
  await mkdir(path.join(h.configDir, 'profiles'), { recursive: true });
  const profile = {
    version: 1,
    server: api.url,
    certificateAuthorityFile: h.caFile,
    tokenFile: h.tokenFile,
    user: 'jean.doe',
    groups: ['devs'],
    ...extra,
  };
  await writeFile(path.join(h.configDir, 'profiles', 'test.json'), JSON.stringify(profile));
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

describe('the token goes only to the recorded server', () => {
  test.each([
    ['verified with its own CA', {}],
    ['with insecure-skip-tls-verify', { 'insecure-skip-tls-verify': true, 'certificate-authority-data': undefined }],
  ])('kubectl pointed at another server (%s), profile stanza: that server gets nothing', async (_name, extra) => {
    await writeProfile();
    h.execInfoRaw = execInfo(foreignCluster(extra));
    await h.run(profileOnly);
    expect(foreign.requests).toEqual([]);
    expect(api.created).toBe(1);
    expect(lastCredential(h).status.clientCertificateData).toContain('BEGIN CERTIFICATE');
  });

  test('flags-only stanza with --server and --certificate-authority: the same', async () => {
    h.execInfoRaw = execInfo(foreignCluster({ 'insecure-skip-tls-verify': true }));
    await h.run();
    expect(foreign.requests).toEqual([]);
    expect(api.created).toBe(1);
  });

  test('a flags-only stanza that relied on provideClusterInfo fails with a clear message', async () => {
    h.execInfoRaw = execInfo(foreignCluster());
    const error = await failure(h.run({ server: undefined, certificateAuthority: undefined }));
    expect(error.code).toBe('config');
    expect(error.message).toContain('missing --server, --certificate-authority');
    expect(error.message).toContain('never to the cluster kubectl names');
    expect(foreign.requests).toEqual([]);
    expect(h.stdout).toEqual([]);
  });

  test('the cache of the real cluster is neither split nor spoiled by calls for another server', async () => {
    await writeProfile();
    await h.run(profileOnly);
    const first = lastCredential(h).status.clientCertificateData;
    h.execInfoRaw = execInfo(foreignCluster({ 'insecure-skip-tls-verify': true }));
    await h.run(profileOnly);
    h.execInfoRaw = execInfo({ server: api.url, 'certificate-authority-data': Buffer.from(api.caPem).toString('base64') });
    await h.run(profileOnly);
    expect(api.created).toBe(1);
    expect(foreign.requests).toEqual([]);
    expect(lastCredential(h).status.clientCertificateData).toBe(first);
  });

  test('a profile asking to skip TLS verification is refused', async () => {
    await writeProfile({ insecureSkipTlsVerify: true });
    const error = await failure(h.run(profileOnly));
    expect(error.code).toBe('config');
    expect(error.message).toContain('insecureSkipTlsVerify is not supported');
    expect(api.requests).toEqual([]);
  });
});

describe("kubectl's proxy-url", () => {
  let proxy: TestProxy;
  beforeEach(async () => {
    const port = Number(new URL(api.url).port);
    proxy = await startConnectProxy({ [`127.0.0.1:${port}`]: port });
  });
  afterEach(async () => {
    await proxy.close();
  });

  test('is used for the same server', async () => {
    await writeProfile();
    h.execInfoRaw = execInfo({ server: api.url, 'proxy-url': proxy.url });
    await h.run(profileOnly);
    expect(proxy.targets.length).toBeGreaterThan(0);
  });

  test('is ignored when kubectl talks to another server', async () => {
    await writeProfile();
    h.execInfoRaw = execInfo(foreignCluster({ 'proxy-url': proxy.url }));
    await h.run(profileOnly);
    expect(proxy.targets).toEqual([]);
    expect(api.created).toBe(1);
  });
});
