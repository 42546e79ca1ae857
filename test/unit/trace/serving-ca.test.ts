// The serving-CA check against the HTTPS fake (its certificate is issued by api.ca): the bundles of
// kubernetes.io/kube-apiserver-serving listed by field selector, compared with the profile's CA and
// with the certificate the server presented on that connection; the daily record only once a day.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from '@jest/globals';
import { createApiClient } from '../../../src/kube/http.js';
import { checkServingCa, readCaCheck } from '../../../src/trustbundle/ca-check.js';
import { dailyCaCheck } from '../../../src/trustbundle/daily-check.js';
import { type FakeApi, startFakeApi } from '../../helpers/fake-api.js';
import { createCa, serverCertificate } from '../../helpers/pki.js';

const token = 'user-token';
let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const ctbPath = '/apis/certificates.k8s.io/v1/clustertrustbundles';

/** bundles: what is published, given the fake's own (serving) CA. */
async function serve(bundles: ((servingCa: string) => string[]) | 'absent') {
  const fake = await startFakeApi({
    token,
    routes: (request) => {
      if (request.path !== ctbPath) return undefined;
      if (bundles === 'absent') return { status: 404, body: { kind: 'Status', code: 404 } };
      if (request.query.get('fieldSelector') !== 'spec.signerName=kubernetes.io/kube-apiserver-serving') return { status: 400, body: {} };
      const items = bundles(fake.caPem).map((trustBundle, i) => ({
        metadata: { name: `b${i}` },
        spec: { signerName: 'kubernetes.io/kube-apiserver-serving', trustBundle },
      }));
      // a bundle of another signer is never read, whatever a server returns
      return { status: 200, body: { items: [...items, { spec: { signerName: 'example.com/other', trustBundle: 'junk' } }] } };
    },
  });
  api = fake;
  return {
    api: fake,
    client: createApiClient({ server: fake.url, certificateAuthorityPem: fake.caPem }, token, { httpsProxy: '', noProxy: '' }),
  };
}

const at = new Date('2030-01-01T00:00:00Z');

test('the same CA: current; a CA added: changed, with the next step named', async () => {
  const same = await serve((servingCa) => [servingCa]);
  expect(await checkServingCa(same.client, same.api.caPem, 'work', at)).toMatchObject({ state: 'current' });
  await same.api.close();
  const next = await createCa('next-serving-ca');
  const added = await serve((servingCa) => [servingCa + next.certificatePem]);
  expect(await checkServingCa(added.client, added.api.caPem, 'work', at)).toEqual({
    checkedAt: at,
    state: 'changed',
    message: "the cluster's serving CA changed (new: CN=next-serving-ca): run kube-csr-login setup --refresh-ca --profile work",
  });
});

test("a published CA that the server's certificate does not chain to is broken, not adopted", async () => {
  const other = await createCa('not-the-serving-ca');
  const { client, api: fake } = await serve(() => [other.certificatePem]);
  const check = await checkServingCa(client, fake.caPem, 'default', at);
  expect(check.state).toBe('broken');
  expect(check.message).toMatch(/does not chain to any published CA \(CN=not-the-serving-ca\)$/);
});

test('no v1 ClusterTrustBundle (before 1.37): unpublished; a bundle holding a non-CA certificate: failed', async () => {
  const absent = await serve('absent');
  expect((await checkServingCa(absent.client, absent.api.caPem, 'default', at)).state).toBe('unpublished');
  await absent.api.close();
  const leafCa = await createCa('leaf-signer');
  const leaf = await serverCertificate(leafCa);
  const bad = await serve(() => [leaf.certificatePem]);
  const check = await checkServingCa(bad.client, bad.api.caPem, 'default', at);
  expect(check).toMatchObject({ state: 'failed', message: expect.stringContaining('holds a certificate that is not a CA') });
});

test('the daily check runs once a day and records what it found', async () => {
  const { client, api: fake } = await serve((servingCa) => [servingCa]);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kcl-ca-check-'));
  const file = path.join(dir, 'profile', 'ca-check.json');
  let now = at;
  const deps = { now: () => now, openTokenApi: async () => client };
  const input = {
    connection: { server: fake.url, certificateAuthorityPem: fake.caPem },
    token: async () => token,
    file,
    profile: 'default',
  };
  expect(await dailyCaCheck(deps, input)).toBe(true);
  expect(await readCaCheck(file)).toMatchObject({ state: 'current', checkedAt: at });
  const asked = fake.requests.length;
  now = new Date(at.getTime() + 23 * 3600_000);
  expect(await dailyCaCheck(deps, input)).toBe(false);
  expect(fake.requests.length).toBe(asked);
  now = new Date(at.getTime() + 25 * 3600_000);
  expect(await dailyCaCheck(deps, input)).toBe(true);
  expect(fake.requests.length).toBe(asked + 1);
});
