// Input someone else sizes is refused past its bound before it is parsed, with a message naming it,
// and the largest real input of each kind is still read: token and bundle files, CA files, stdin,
// kubeconfig, our own profile and cache files, CSR files to explain, API answers and watch events.
import { describe, expect, test } from '@jest/globals';
import { mkdir, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readCredentialEntry } from '../../../src/cache/credential-entry.js';
import { readCsrTable } from '../../../src/approver/csr-table.js';
import { readCertificateAuthority, readToken } from '../../../src/credential/identity.js';
import { createApiClient } from '../../../src/kube/http.js';
import { watchStream } from '../../../src/kube/watch-stream.js';
import { editKubeconfigs } from '../../../src/kubeconfig/edit-files.js';
import { readProfile } from '../../../src/profile/profile.js';
import { readTokenInput } from '../../../src/setup/token-copy.js';
import { inputBounds, readAllBounded } from '../../../src/util/bounded-read.js';
import { createCa, serverCertificate } from '../../helpers/pki.js';
import { tempDir } from '../../helpers/temp-dirs.js';

const refused = (what: string, bound: number) => `${what} is larger than ${bound} bytes: refused unread`;

async function fileOf(size: number, fill = 'a', name = 'input'): Promise<string> {
  const file = join(await tempDir('kcl-bounded'), name);
  await writeFile(file, fill.repeat(size));
  return file;
}

describe('files a user names', () => {
  test('a token file: the bound accepted, one byte more refused; /dev/zero refused after a bounded read', async () => {
    expect(await readToken(await fileOf(inputBounds.token))).toHaveLength(inputBounds.token);
    const big = await fileOf(inputBounds.token + 1);
    await expect(readToken(big)).rejects.toThrow(refused(`the token file ${big}`, inputBounds.token));
    await expect(readToken('/dev/zero')).rejects.toThrow(refused('the token file /dev/zero', inputBounds.token));
    await expect(readToken(join(big, '..', 'missing'))).rejects.toThrow(/cannot read the token file .*missing: ENOENT/);
  });

  test('a login bundle and a setup --token-file are read within their bounds', async () => {
    const bundle = await fileOf(inputBounds.loginBundle + 1, ' ');
    await expect(readTokenInput(bundle, 'bundle')).rejects.toThrow(refused(`the login bundle ${bundle}`, inputBounds.loginBundle));
    // the largest real bundle: a whole system trust store as its CA (~250 KB) and a token
    const real = await fileOf(250_000, ' ');
    expect((await readTokenInput(real, 'bundle')).text).toHaveLength(250_000);
    const tokenFile = await fileOf(inputBounds.token + 1);
    await expect(readTokenInput(tokenFile, 'token-file')).rejects.toThrow(refused(`the token file ${tokenFile}`, inputBounds.token));
  });

  test('a CA file: a 4 MiB trust store accepted, more refused', async () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const fits = await fileOf(1, pem.padEnd(inputBounds.certificateAuthority, ' '));
    expect(await readCertificateAuthority(fits)).toHaveLength(inputBounds.certificateAuthority);
    const big = await fileOf(1, pem.padEnd(inputBounds.certificateAuthority + 1, ' '));
    await expect(readCertificateAuthority(big)).rejects.toThrow(
      refused(`the certificate authority file ${big}`, inputBounds.certificateAuthority),
    );
  });

  test('stdin: the bound accepted, more refused', async () => {
    const chunks = (size: number) => Readable.from([Buffer.alloc(size - 1, 'a'), Buffer.from('b')]);
    expect(await readAllBounded(chunks(inputBounds.token), inputBounds.token, 'stdin')).toHaveLength(inputBounds.token);
    await expect(readAllBounded(chunks(inputBounds.token + 1), inputBounds.token, 'stdin')).rejects.toThrow(
      refused('stdin', inputBounds.token),
    );
  });

  test('a kubeconfig past 16 MiB is refused before YAML parsing; a 2 MB one is edited', async () => {
    const big = await fileOf(inputBounds.kubeconfig + 1, '#');
    await expect(editKubeconfigs([big], () => undefined)).rejects.toThrow(refused(big, inputBounds.kubeconfig));
    const clusters = Array.from(
      { length: 400 },
      (_, i) => `- name: c${i}\n  cluster:\n    server: https://c${i}:6443\n    certificate-authority-data: ${'Q'.repeat(5000)}\n`,
    );
    const real = await fileOf(1, `apiVersion: v1\nkind: Config\nclusters:\n${clusters.join('')}`);
    expect(await editKubeconfigs([real], (set) => set.files[0]?.doc.toJSON().clusters.length)).toBe(400);
  });
});

describe('our own files', () => {
  test('a profile or cache entry past 1 MiB: the profile is a clear error, the cache entry a miss', async () => {
    const dir = await tempDir('kcl-bounded-own');
    const profile = join(dir, 'profiles', 'default.json');
    await mkdir(join(dir, 'profiles'));
    await writeFile(profile, `{"version":1,"server":"${'x'.repeat(inputBounds.ownFile)}"}`);
    await expect(readProfile(dir, 'default')).rejects.toThrow(refused(profile, inputBounds.ownFile));
    const entry = await fileOf(inputBounds.ownFile + 1, ' ');
    expect(await readCredentialEntry(entry, {})).toEqual({
      kind: 'miss',
      reason: `cache entry unreadable (${refused(entry, inputBounds.ownFile)})`,
    });
  });
});

/** An HTTPS server that answers every request with `body` (a watch: the events, then it closes). */
async function serve(body: (res: ServerResponse) => void) {
  const ca = await createCa();
  const tls = await serverCertificate(ca);
  const server = https.createServer({ cert: tls.certificatePem, key: tls.keyPem }, (_req, res) => body(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = createApiClient({ server: url, certificateAuthorityPem: ca.certificatePem }, 'token', { httpsProxy: '', noProxy: '' });
  return { client, close: () => new Promise((resolve) => server.close(resolve).closeAllConnections()) };
}

const event = (type: string, padding: number) =>
  `${JSON.stringify({ type, object: { kind: 'CertificateSigningRequest', metadata: { resourceVersion: '5' }, spec: { request: 'A'.repeat(padding) } } })}\n`;

describe('API answers', () => {
  test("a watch event past 4 MiB is refused unparsed; a 2 MB event (a CSR at etcd's limit) is read", async () => {
    const real = await serve((res) => res.end(event('ADDED', 2_000_000) + event('MODIFIED', 10)));
    const events = [];
    for await (const e of watchStream(real.client, '/apis/x', 5)) events.push(e.type);
    expect(events).toEqual(['ADDED', 'MODIFIED']);
    await real.close();
    const huge = await serve((res) => {
      res.write(event('ADDED', 10));
      // one event of 5 MiB sent in pieces, never with a newline
      for (let i = 0; i < 5; i += 1) res.write('A'.repeat(1024 * 1024));
      res.end('\n');
    });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const e of watchStream(huge.client, '/apis/x', 5)) seen.push(e.type);
      })(),
    ).rejects.toThrow(refused('a watch event from the API server', inputBounds.apiResponse));
    expect(seen).toEqual(['ADDED']);
    await huge.close();
  });

  test('a response past 4 MiB is refused; a Table page of 500 CSRs with the longest names is read', async () => {
    const row = (i: number) => ({ cells: [`user=${'n'.repeat(240)}${i}`, `system:serviceaccount:users:${'n'.repeat(240)}`, 'Pending'] });
    const table = {
      kind: 'Table',
      columnDefinitions: [{ name: 'Name' }, { name: 'Requestor' }, { name: 'Condition' }],
      rows: Array.from({ length: 500 }, (_, i) => row(i)),
      metadata: { resourceVersion: '9', continue: '' },
    };
    const page = await serve((res) => res.end(JSON.stringify(table)));
    const answer = await page.client.json({ method: 'GET', path: '/apis/x', timeoutMs: 5000 });
    expect(readCsrTable(answer).rows).toHaveLength(500);
    await page.close();
    const huge = await serve((res) => res.end(JSON.stringify({ ...table, rows: Array.from({ length: 9000 }, (_, i) => row(i)) })));
    await expect(huge.client.json({ method: 'GET', path: '/apis/x', timeoutMs: 5000 })).rejects.toThrow(
      refused("the API server's response", inputBounds.apiResponse),
    );
    await huge.close();
  });
});
