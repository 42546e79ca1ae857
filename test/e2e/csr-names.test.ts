// Who may hold the CSR name user=<name>, on the real API server. admin add-user applies a
// ValidatingAdmissionPolicy: a ServiceAccount of the users namespace may create only the CSR named
// after itself (RBAC cannot say this: `create` is not limited by name). And when someone the
// policy does not cover (here the admin) holds a user's name with a signer nobody handles, that
// user's renewal deletes it and renews instead of waiting for the timeout and asking an admin to
// approve someone else's request. Runs in its own users namespace.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { csrNamePolicyName } from '../../src/admin/csr-name-policy.js';
import { buildCsrPem, generatePrivateKeyPem } from '../../src/pki/csr.js';
import { parseLoginBundle } from '../../src/setup/login-input.js';
import { approveContinuously } from './provision.js';
import { admin, cluster, launcher, run, sleep, tempDir } from './cluster.js';
import { pluginArgs } from '../helpers/plugin-args.js';

jest.setTimeout(180_000);

const namespace = 'csr-names-e2e';
const [alice, bob] = ['names.alice', 'names.bob'];
let dir: string;

const kcl = (...args: string[]) =>
  run(launcher, ['admin', ...args, '--users-namespace', namespace, '--kubeconfig', cluster.adminKubeconfig], { input: '' });
const bundleOf = (user: string) => path.join(dir, `${user}.bundle`);

/** A well-formed CSR manifest named `name`, for `user`'s key. */
async function csrFile(name: string, user: string, signerName = 'kubernetes.io/kube-apiserver-client'): Promise<string> {
  const key = await generatePrivateKeyPem('ecdsa-p256');
  const request = Buffer.from(await buildCsrPem(key, 'ecdsa-p256', user, [])).toString('base64');
  const file = path.join(dir, `${name}.json`);
  const manifest = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request, signerName, usages: ['client auth', 'digital signature'], expirationSeconds: 3600 },
  };
  await writeFile(file, JSON.stringify(manifest));
  return file;
}

beforeAll(async () => {
  dir = await tempDir('csr-names');
  for (const user of [alice, bob]) {
    const added = await kcl('add-user', user, '--groups', 'devs', '--bundle', bundleOf(user));
    if (added.code !== 0) throw new Error(`admin add-user ${user} failed: ${added.stderr}`);
  }
});
afterAll(async () => {
  for (const user of [alice, bob]) {
    await kcl('remove-user', user).catch(() => undefined);
    await admin('delete', 'csr', `user=${user}`, '--ignore-not-found').catch(() => '');
  }
  const policy = csrNamePolicyName(namespace);
  await admin('delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', policy, '--ignore-not-found').catch(() => '');
  await admin('delete', 'namespace', namespace, '--ignore-not-found', '--wait=false').catch(() => '');
});

test("a user's ServiceAccount may create the CSR of its own name, and is refused another user's by admission", async () => {
  const own = await run(cluster.kubectl, ['--kubeconfig', bundleOf(alice), 'create', '-f', await csrFile(`user=${alice}`, alice)]);
  expect(own).toMatchObject({ code: 0 });
  await admin('delete', 'csr', `user=${alice}`);
  // the API server loads a new policy within about a second: a CSR that got in before is removed, tried again
  const file = await csrFile(`user=${bob}`, bob);
  let squat = await run(cluster.kubectl, ['--kubeconfig', bundleOf(alice), 'create', '-f', file]);
  for (let attempt = 0; attempt < 20 && squat.code === 0; attempt += 1) {
    await admin('delete', 'csr', `user=${bob}`);
    await sleep(500);
    squat = await run(cluster.kubectl, ['--kubeconfig', bundleOf(alice), 'create', '-f', file]);
  }
  expect(squat.code).not.toBe(0);
  expect(squat.stderr).toContain(`ValidatingAdmissionPolicy '${csrNamePolicyName(namespace)}'`);
  expect(squat.stderr).toContain(`ServiceAccount ${namespace}/${alice} may only create the CertificateSigningRequest named user=${alice}`);
  expect(await admin('get', 'csr', `user=${bob}`, '--ignore-not-found', '-o', 'name')).toBe('');
});

test('add-user again leaves the shared policy unchanged', async () => {
  const again = await kcl('add-user', alice, '--groups', 'devs');
  expect(again.code).toBe(0);
  expect(again.stdout).toContain(`unchanged ValidatingAdmissionPolicy ${csrNamePolicyName(namespace)}`);
  expect(again.stdout).toContain(`unchanged ValidatingAdmissionPolicyBinding ${csrNamePolicyName(namespace)}`);
});

test("someone else's CSR under the user's name, for a signer nobody handles: the renewal deletes it and succeeds", async () => {
  // The admin is not a ServiceAccount of the namespace: the policy does not cover it.
  await admin('delete', 'csr', `user=${bob}`, '--ignore-not-found');
  await admin('create', '-f', await csrFile(`user=${bob}`, bob, 'example.com/nobody-signs-this'));
  const token = path.join(dir, 'bob.token');
  await writeFile(token, parseLoginBundle(await readFile(bundleOf(bob), 'utf8'), bundleOf(bob)).token, { mode: 0o600 });
  const stop = approveContinuously(bob);
  try {
    const args = pluginArgs(
      { server: cluster.server, caFile: cluster.caFile, tokenFile: token, user: bob, groups: 'devs' },
      '--timeout',
      '60s',
    );
    const started = Date.now();
    const result = await run(launcher, args, {
      env: { KUBE_CSR_LOGIN_CACHE_DIR: path.join(dir, 'cache'), KUBE_CSR_LOGIN_CONFIG_DIR: path.join(dir, 'config') },
    });
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(JSON.parse(result.stdout).status.clientCertificateData).toContain('BEGIN CERTIFICATE');
    expect(Date.now() - started).toBeLessThan(30_000); // not the 60 s timeout
  } finally {
    await stop();
  }
  const holder = await admin('get', 'csr', `user=${bob}`, '-o', 'jsonpath={.spec.username} {.spec.signerName}');
  expect(holder).toBe(`system:serviceaccount:${namespace}:${bob} kubernetes.io/kube-apiserver-client`);
});
